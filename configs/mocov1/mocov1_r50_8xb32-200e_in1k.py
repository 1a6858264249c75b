# MoCo v1, the paper's ImageNet-1k recipe: ResNet-50, linear 128-d head,
# queue 65536, m 0.999, T 0.07; batch 256 (8 GPUs x 32), SGD lr 0.03,
# momentum 0.9, wd 1e-4, 200 epochs, lr x 0.1 at epochs 120 and 160.
# Views: PixPro's two coordinate-aware views (crop boxes packed, unused)
# with MoCo v1's augmentation (mocov1_views.py) for both.
_base_ = [
    '../_base_/models/mocov1_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/datasets/mocov1_views.py',
    '../_base_/schedules/sgd_steplr-200e.py',
    '../_base_/default_runtime.py',
]

crop_size = 224  # mocov1_views.py's
train_pipeline = _base_.train_pipeline
train_pipeline[1]['view_pipelines'] = [
    _base_.view_pipeline, _base_.view_pipeline
]

train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))
