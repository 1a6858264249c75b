# "Revisiting Contrastive SSL" (https://arxiv.org/abs/2106.05967): MoCo v2
# (ResNet-50, 2048-2048-128 MLP projector, T 0.2) on 1 large query view, 4
# small query views and 1 key view, plus 0.4 x a kNN term whose top-20
# neighbours come from a second queue of the key encoder's pooled backbone
# features; both queues of 65536 entries (the authors' default --moco-k);
# key encoder momentum m = 0.995 (the COCO recipe), constant.
model = dict(
    type='MultiCropMoCo',
    base_momentum=0.995,
    # views in order: query (large), key (large), small queries; one tensor
    # per view (MultiCropMoCo runs each size group of queries as one pass)
    data_preprocessor=dict(
        type='MultiViewDataPreprocessor',
        stack_groups=False,
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False),
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='BN'),  # the authors shuffle BN across GPUs
        zero_init_residual=False),
    neck=dict(
        type='MoCoV2Neck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        with_avg_pool=True),
    head=dict(
        type='MoCoKNNHead',
        queue_len=65536,
        feat_dim=128,
        backbone_dim=2048,
        contrastive=dict(
            type='ContrastiveHead',
            loss=dict(type='CrossEntropyLoss'),
            temperature=0.2),
        knn_loss=dict(
            type='KNNPositiveLoss', topk=20, temperature=0.2,
            loss_weight=0.4)))

# constant key-encoder momentum m; one EMA step per optimiser step
custom_hooks = [dict(type='MomentumHook', schedule=None)]
