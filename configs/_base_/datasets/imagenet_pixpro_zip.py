# ImageNet-1k train split packed in zip archives of 10000 images by
# tools/dataset_converters/pack_zip.py (data/imagenet_zip/train-00000.zip,
# ..., and the file list train.txt). Same samples, order and augmentations
# as the folder. Otherwise as imagenet_pixpro.py.
_base_ = ['./imagenet_pixpro.py']

data_root = 'data/imagenet_zip/'
# where the archives and the list are: None = a local or mounted folder;
# for an object store, mmengine backend arguments such as
# dict(backend='petrel') (the archives are then copied once per machine
# into the zip backend's cache_dir)
backend_args = None

train_pipeline = _base_.train_pipeline
train_pipeline[0]['backend_args'] = dict(
    backend='zip', archive_backend_args=backend_args)

train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        ann_file='train.txt',
        backend_args=backend_args,
        pipeline=train_pipeline))
