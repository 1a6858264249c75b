# "Revisiting Contrastive SSL" on COCO train2017, the authors'
# scripts/ours_coco_200ep.sh: ResNet-50, 2 x 160 px + 4 x 96 px constrained
# crops with AutoAugment on the queries, batch 256 (2 GPUs x 128), SGD lr
# 0.3, momentum 0.9, wd 1e-4, cosine per epoch, 200 epochs, m 0.995.
_base_ = [
    '../_base_/models/revisiting_r50.py',
    '../_base_/datasets/coco_pixpro.py',
    '../_base_/datasets/revisiting_views.py',
    '../_base_/schedules/sgd_coslr-100e.py',
    '../_base_/default_runtime.py',
]

train_pipeline = _base_.train_pipeline
train_pipeline[1] = dict(
    type='MultiViewTransform',
    view_pipelines=[
        _base_.query_view_pipeline, _base_.key_view_pipeline,
        _base_.small_view_pipeline
    ],
    num_views=[1, 1, 4])
# how many crops of a sample fell back to the centre crop, in its metainfo
train_pipeline[2]['meta_keys'] = ['img_path', 'crop_fallbacks']
train_dataloader = dict(batch_size=128, dataset=dict(pipeline=train_pipeline))

# lr 0.3 per 256 images (auto_scale_lr of the base: 0.3 at 2 x 128)
optim_wrapper = dict(optimizer=dict(lr=0.3))
max_epochs = 200
# sgd_coslr-100e.py's cosine over max_epochs, but stepped once per epoch
# as the authors' lr = 0.3 * (1 + cos(pi * epoch / epochs)) / 2
param_scheduler = [
    dict(
        _base_.param_scheduler[0],
        T_max=max_epochs,
        end=max_epochs,
        convert_to_iter_based=False)
]
train_cfg = dict(max_epochs=max_epochs)
