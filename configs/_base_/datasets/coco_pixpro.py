# COCO train2017 as an unlabelled folder (scene-centric pretraining, as in
# DenseCL's and "Revisiting Contrastive SSL"'s COCO recipes): the 118,287
# images of data/coco/train2017/ (no annotation file read), with the two
# PixPro views of imagenet_pixpro.py at 224 px.
_base_ = ['./imagenet_pixpro.py']

data_root = 'data/coco/train2017/'

train_dataloader = dict(dataset=dict(data_root=data_root))
