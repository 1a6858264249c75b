# MoCo v1, the paper's ImageNet-1k recipe: ResNet-50, linear 128-d head,
# queue 65536, m 0.999, T 0.07; batch 256 (8 GPUs x 32), SGD lr 0.03,
# momentum 0.9, wd 1e-4, 200 epochs, lr x 0.1 at epochs 120 and 160.
# Views: PixPro's two coordinate-aware views (crop boxes packed, unused)
# with MoCo v1's augmentation (InstDisc's, the authors' main_moco.py): crop
# scale 0.2-1, grayscale 0.2, colour jitter 0.4/0.4/0.4/0.4 always, flip;
# no blur, no solarisation; one recipe for both views.
_base_ = [
    '../_base_/models/mocov1_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/sgd_steplr-200e.py',
    '../_base_/default_runtime.py',
]

crop_size = 224
# the authors' order; the flip comes right after the crop here, as it
# moves the crop box (it commutes with the photometric transforms)
view_pipeline = [
    dict(type='RandomResizedCropWithBox', size=crop_size, scale=(0.2, 1.0)),
    dict(type='RandomHorizontalFlipWithBox', prob=0.5),
    dict(type='RandomRGBGrayscale', prob=0.2),
    dict(
        type='RandomColorJitter',
        brightness=0.4,
        contrast=0.4,
        saturation=0.4,
        hue=0.4,
        prob=1.0),
]
train_pipeline = _base_.train_pipeline
train_pipeline[1]['view_pipelines'] = [view_pipeline, view_pipeline]

train_dataloader = dict(batch_size=32, dataset=dict(pipeline=train_pipeline))
