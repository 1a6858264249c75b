# The embedded demo photographs (data/demo/, built by
# tools/dataset_converters/build_demo_set.py): the views of
# imagenet_pixpro.py at 128 px, batch 32, 2 workers, full-size decoding.
_base_ = ['./imagenet_pixpro.py']

crop_size = 128
data_root = 'data/demo/'

view_pipeline1 = _base_.view_pipeline1
view_pipeline1[0]['size'] = crop_size  # RandomResizedCropWithBox
view_pipeline2 = _base_.view_pipeline2
view_pipeline2[0]['size'] = crop_size
train_pipeline = _base_.train_pipeline
train_pipeline[0] = dict(type='LoadRGBImageFromFile')
train_pipeline[1]['view_pipelines'] = [view_pipeline1, view_pipeline2]

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
