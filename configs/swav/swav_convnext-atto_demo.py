# SwAV (2 x 128 px + 4 x 64 px views) on the convnext-atto demo backbone
# (configs/_base_/models/convnext-atto_demo.py): swav_r18_demo.py (views, queue
# and hooks unchanged) with the backbone swapped (its last map into the
# projector) and AdamW (adamw_demo.py).
_base_ = [
    './swav_r18_demo.py',
    '../_base_/models/convnext-atto_demo.py',
    '../_base_/schedules/adamw_demo.py',
]

model = dict(
    backbone=dict(_delete_=True, **_base_.convnext_atto),
    neck=dict(in_channels=_base_.convnext_atto_channels[-1]))

# AdamW of adamw_demo.py in fp32, as swav_r18_demo.py (Sinkhorn's
# exp(scores / 0.05) magnifies bf16 rounding); mmpretrain's SwAVNeck reaches
# its BN twice (neck.norm, neck.projection_neck.1): listed once
# (bypass_duplicate)
optim_wrapper = dict(
    _delete_=True,
    type='NonFiniteSkipOptimWrapper',
    optimizer=_base_.adamw_demo.optimizer,
    clip_grad=_base_.adamw_demo.clip_grad,
    paramwise_cfg=dict(_base_.adamw_demo.paramwise_cfg,
                       bypass_duplicate=True))
auto_scale_lr = dict(base_batch_size=32)
