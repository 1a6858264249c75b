# The embedded demo photographs (data/demo/) with multi-crop views at demo
# scale: the 2 global views of demo_pixpro.py at 128 px and 4 local views at
# 64 px (the 2x224 + 6x96 of imagenet_multicrop.py, scaled to the demo),
# each local crop with at least 10 % of its area inside global view 0.
# Batch 32, 2 workers, full-size decoding.
_base_ = ['./imagenet_multicrop.py']

crop_size = 128
local_crop_size = 64
num_local_views = 4
data_root = 'data/demo/'

view_pipeline1 = _base_.view_pipeline1
view_pipeline1[0]['size'] = crop_size  # RandomResizedCropWithBox
view_pipeline2 = _base_.view_pipeline2
view_pipeline2[0]['size'] = crop_size
local_view_pipeline = _base_.local_view_pipeline
local_view_pipeline[0]['size'] = local_crop_size

train_pipeline = _base_.train_pipeline
train_pipeline[0] = dict(type='LoadRGBImageFromFile')
train_pipeline[1]['view_pipelines'] = [
    view_pipeline1, view_pipeline2, local_view_pipeline
]
train_pipeline[1]['num_views'] = [1, 1, num_local_views]

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
