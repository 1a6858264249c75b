# PixPro with a ViT-S/16 (DINO's ViT-S: mmpretrain arch 'deit-small', 384
# channels, 12 layers, 6 heads): the patch tokens as a map (N, 384, 14, 14)
# at 224 px -> per-pixel projector 384-4096-256 -> Pixel Propagation Module
# + loss, as pixpro_r50.py. Stochastic depth 0.1 (DINO's pretraining
# default); the position embeddings (built for 224 px) are interpolated to
# other view sizes. The loss places the patch cells at (i + 0.5) * 16 / S of
# each crop (mmpixpro.models.utils.grid_boxes).
_base_ = ['./pixpro_r50.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='VisionTransformer',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        drop_path_rate=0.1,
        out_type='featmap'),
    neck=dict(in_channels=384))
