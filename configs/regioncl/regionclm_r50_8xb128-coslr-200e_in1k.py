# RegionCL-M, the authors' ImageNet-1k recipe (configs/selfsup/regionCL-M/
# regionCLM-r50.py): ResNet-50, batch 1024 (8 GPUs x 128), SGD lr 0.15,
# momentum 0.9, wd 1e-4, cosine to 0 over 200 epochs; MoCo v2's views
# (crop 224 px, scale 0.2-1, colour jitter 0.4/0.4/0.4/0.1 with p 0.8,
# grayscale 0.2, blur sigma 0.1-2 with p 0.5, flip) for both views, on the
# library's coordinate-aware pipeline (crop boxes packed, unused). The flip
# comes right after the crop, as it moves the crop box.
_base_ = [
    '../_base_/models/regionclm_r50.py',
    '../_base_/datasets/imagenet_pixpro.py',
    '../_base_/schedules/sgd_coslr-100e.py',
    '../_base_/default_runtime.py',
]

view_pipeline = [
    dict(type='RandomResizedCropWithBox', size=224, scale=(0.2, 1.0)),
    dict(type='RandomHorizontalFlipWithBox', prob=0.5),
    dict(
        type='RandomColorJitter',
        brightness=0.4,
        contrast=0.4,
        saturation=0.4,
        hue=0.1,
        prob=0.8),
    dict(type='RandomRGBGrayscale', prob=0.2),
    dict(type='RandomGaussianBlur', sigma=(0.1, 2.0), prob=0.5),
]
train_pipeline = _base_.train_pipeline
train_pipeline[1]['view_pipelines'] = [view_pipeline, view_pipeline]
train_dataloader = dict(batch_size=128, dataset=dict(pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(lr=0.15))
max_epochs = 200
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs,
        by_epoch=True,
        begin=0,
        end=max_epochs,
        convert_to_iter_based=True)
]
train_cfg = dict(max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=1024)  # lr 0.15 at batch 1024
