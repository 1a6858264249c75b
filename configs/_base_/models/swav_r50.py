# SwAV (https://arxiv.org/abs/2006.09882): mmpretrain's SwAV networks and
# loss as its 200-epoch config sets them (ResNet-50; SwAVNeck 2048-2048-128
# with l2-normalised output, 3000 prototypes, Sinkhorn eps 0.05 with 3
# iterations, temperature 0.1, codes of views 0 and 1), as MultiCropSwAV:
# the same algorithm with its views declared and checked. num_crops must be
# the views per size of the pipeline (2 x 224 + 6 x 96 px here).
num_crops = [2, 6]

model = dict(
    type='MultiCropSwAV',
    # per-view batches (N, 3, h_v, w_v), views of one size consecutive
    data_preprocessor=dict(
        type='MultiViewDataPreprocessor',
        stack_groups=False,
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False),
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='BN'),  # SyncBN in multi-GPU runs (sync_bn)
        # the authors' ResNet-50 (src/resnet50.py) keeps the last BN of each
        # residual branch at 1; mmpretrain's SwAV config zeroes it
        zero_init_residual=False),
    neck=dict(
        type='SwAVNeck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        with_avg_pool=True,
        norm_cfg=dict(type='BN1d')),  # on (N, C) vectors
    head=dict(
        type='SwAVHead',
        loss=dict(
            type='SwAVLoss',
            feat_dim=128,  # the neck's out_channels
            sinkhorn_iterations=3,
            epsilon=0.05,
            temperature=0.1,
            crops_for_assign=[0, 1],
            num_crops=num_crops,
            num_prototypes=3000)))

# SwAVQueueHook (mmpretrain's SwAVHook with the queue in the checkpoint, no
# queue*.pth files; priority as mmpretrain's): a queue of past embeddings of
# the assigned views for Sinkhorn and the prototypes frozen for the first
# iterations. The recipes add batch_size (per GPU), epoch_queue_starts,
# queue_length and frozen_layers_cfg.
custom_hooks = [
    dict(
        type='SwAVQueueHook',
        priority='VERY_HIGH',
        crops_for_assign=model['head']['loss']['crops_for_assign'],
        feat_dim=model['head']['loss']['feat_dim'])
]

# the prototypes get no gradient while frozen
find_unused_parameters = True
