# ImageNet-1k train split read from a file list: the 1.28M files are not
# searched at start. mmpretrain's layout: data/imagenet/train/<class>/*.JPEG
# and the list meta/train.txt ('n01440764/n01440764_10026.JPEG 0' lines
# work: the first token is the path), or one written by
# tools/dataset_converters/make_file_list.py (same order as the folder
# search). Otherwise as imagenet_pixpro.py.
_base_ = ['./imagenet_pixpro.py']

data_root = 'data/imagenet/'

train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        data_prefix=dict(img_path='train/'),
        ann_file='meta/train.txt'))
