# DenseSiam (https://arxiv.org/abs/2203.11075) with a ResNet-50, no momentum
# encoder: C5 (N, 2048, 7, 7) at 224 px, sampled at the same 7 x 7 points of
# the two crops' overlap -> pixel projector 2048-512-64 (K = 64 soft
# regions) and predictor 64-512-64 (PixSim, -cos with stop-gradient);
# region embeddings through a 2048-512-512-512 projector and a 512-128-512
# predictor (RegionSim, InfoNCE among the K regions, T 0.1, weight 0.1); and
# SimSiam's image-level term on the pooled C5 (mmpretrain's SimSiam neck and
# head, 2048-2048-2048 / 2048-512-2048). Widths and K are our choice: the
# authors released no pretraining config (configs/densesiam/README.md).
# BN layers become SyncBN in multi-GPU runs (sync_bn in default_runtime.py).
model = dict(
    type='DenseSiam',
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=False),  # our pipeline is RGB already
    backbone=dict(
        type='ResNet',
        depth=50,
        out_indices=(3, ),
        norm_cfg=dict(type='BN'),
        zero_init_residual=True),
    dense_head=dict(
        type='DenseSiamHead',
        in_channels=2048,
        num_regions=64,
        pix_hid_channels=512,
        region_channels=512,
        region_hid_channels=128,
        grid_size=7,
        pixel_loss=dict(type='CosineSimilarityLoss'),
        region_loss=dict(type='RegionContrastLoss', temperature=0.1)),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=2048,
        num_layers=3,
        norm_cfg=dict(type='BN1d'),
        with_last_bn_affine=False,
        with_avg_pool=True),
    head=dict(
        type='LatentPredictHead',
        loss=dict(type='CosineSimilarityLoss'),
        predictor=dict(
            type='NonLinearNeck',
            in_channels=2048,
            hid_channels=512,
            out_channels=2048,
            norm_cfg=dict(type='BN1d'),
            with_avg_pool=False,
            with_last_bn=False,
            with_last_bias=True)),
    img_weight=1.0,
    pix_weight=1.0,
    region_weight=0.1)
