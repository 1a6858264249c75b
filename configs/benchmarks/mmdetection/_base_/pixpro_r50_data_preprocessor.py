# Our weights are RGB with the ImageNet mean/std of pretraining (not caffe
# BGR): mmdet loads BGR images, so convert them to RGB here.
data_preprocessor = dict(
    type='DetDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_size_divisor=32)
