# Linear evaluation of a frozen PixPro ResNet-50 on ImageNet-1k, run by
# mmpretrain's own ImageClassifier: mmpretrain 1.2.0's recipe for
# self-supervised ResNet-50s,
# mmpretrain::mocov2/benchmarks/resnet50_8xb32-linear-steplr-100e_in1k.py
# (ResNet-50 + global average pool + LinearClsHead; RandomResizedCrop 224
# and flip; SGD lr 30, momentum 0.9, no weight decay; lr / 10 at epochs 60
# and 80 of 100; 8 GPUs x 32 images), inherited as is. Only the backbone
# differs: all four stages frozen with BN in eval mode, initialised from
# our export:
#   python tools/model_converters/convert.py \
#       work_dirs/pixpro_r50_8xb128/epoch_100.pth --to mmpretrain
_base_ = 'mmpretrain::mocov2/benchmarks/resnet50_8xb32-linear-steplr-100e_in1k.py'  # noqa: E501
model = dict(
    backbone=dict(
        frozen_stages=4,
        norm_eval=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='work_dirs/pixpro_r50_8xb128/epoch_100_mmpretrain.pth',
            prefix='backbone.')))
