# Cityscapes semantic segmentation, FCN-D8 on the PixPro ResNet-50, 769 x 769
# crops, 8 GPUs x 2 images, 40k iterations. Paper (R-50, IN-1k): mIoU 77.2.
_base_ = [
    './_base_/fcn_r50-d8_pixpro.py', './_base_/cityscapes_769x769.py',
    './_base_/schedule_sgd_poly.py', './_base_/default_runtime.py'
]
crop_size = (769, 769)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(align_corners=True),
    auxiliary_head=dict(align_corners=True),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(513, 513)))
