# The ConvNeXt of the CPU demos (configs/*/*_convnext-atto_demo.py):
# mmpretrain's ConvNeXt, arch 'atto' (depths 2-2-6-2, 40-80-160-320
# channels at strides 4-32, 3.7 M parameters), its maps before any pooling
# (gap_before_final_norm=False: each output is normalised by its own
# LayerNorm2d). A demo config takes it as
#     backbone=dict(_delete_=True, **_base_.convnext_atto)
# and adds out_indices=(0, 1, 2, 3) for an FPN.
convnext_atto = dict(
    type='ConvNeXt',
    arch='atto',
    # no stochastic depth in the demos: its masks come from the global torch
    # RNG, which a checkpoint does not hold, so a resumed run would drop
    # other blocks than the uninterrupted one (the recipes keep it)
    drop_path_rate=0.,
    out_indices=(3, ),
    gap_before_final_norm=False,
    # ConvNeXt's own initialisation: truncated normal (std 0.02) conv and
    # linear weights, zero biases
    init_cfg=dict(
        type='TruncNormal', layer=['Conv2d', 'Linear'], std=0.02, bias=0.))
convnext_atto_channels = [40, 80, 160, 320]
