# "Revisiting Contrastive SSL" on the CPU demo: the demo photographs, batch
# and epochs of demo_multicrop.py, the method's views at demo scale
# (2 x 128 + 4 x 64 px, small crops inside the key view 1), MoCo v2's SGD,
# ResNet-18.
_base_ = [
    '../_base_/models/revisiting_r50.py',
    '../_base_/datasets/demo_multicrop.py',
    '../_base_/datasets/revisiting_views.py',
    '../_base_/schedules/sgd_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

query_view_pipeline = _base_.query_view_pipeline
query_view_pipeline[0]['size'] = _base_.crop_size  # RandomResizedCropWithBox
key_view_pipeline = _base_.key_view_pipeline
key_view_pipeline[0]['size'] = _base_.crop_size
small_view_pipeline = _base_.small_view_pipeline
small_view_pipeline[0]['size'] = _base_.local_crop_size

train_pipeline = _base_.train_pipeline
train_pipeline[1]['view_pipelines'] = [
    query_view_pipeline, key_view_pipeline, small_view_pipeline
]
train_pipeline[1]['num_views'] = [1, 1, _base_.num_local_views]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

# Queues of 128 entries: 4 batches of 32, filled by the 4th of the 7
# iterations of an epoch (235 images, drop_last), so the negatives and
# neighbours are real keys at most 3 iterations old, and fewer entries than
# images, so no image has two keys in a queue. 65536 would stay random
# vectors for the whole run (12 x 224 keys). Top-4 neighbours keep the
# positives a small share of the queue (3 %; the paper's 20 of 65536 would
# round to none).
model = dict(
    backbone=dict(depth=18),
    neck=dict(in_channels=512, hid_channels=512),
    head=dict(
        queue_len=128, backbone_dim=512, knn_loss=dict(topk=4)))
# the method's lr, 0.3 per 256 images (auto-scaled: 0.0375 at 32)
optim_wrapper = dict(optimizer=dict(lr=0.3))
