# The Swin of the CPU demos (configs/*/*_swin-nano_demo.py): ours, not an
# mmpretrain arch. mmpretrain's SwinTransformer with Swin-T's depths
# (2, 2, 6, 2) at a third of its width: 32-64-128-256 channels at strides
# 4-32, heads of 32 channels (1-2-4-8), window 4 instead of 7 so that the
# demo's 128-px crops give maps of 32, 16, 8 and 4 cells that the windows
# tile without padding (the 64-px local crops: 16, 8, 4, 2; the 2 x 2 map is
# padded to one 4 x 4 window, pad_small_map). About 3.3 M parameters, as
# ConvNeXt-atto. A demo config takes it as
#     backbone=dict(_delete_=True, **_base_.swin_nano)
# and adds out_indices=(0, 1, 2, 3) for an FPN.
swin_nano = dict(
    type='SwinTransformer',
    arch=dict(embed_dims=32, depths=[2, 2, 6, 2], num_heads=[1, 2, 4, 8]),
    img_size=128,
    window_size=4,
    # no stochastic depth in the demos: its masks come from the global torch
    # RNG, which a checkpoint does not hold, so a resumed run would drop
    # other blocks than the uninterrupted one (the recipes keep it)
    drop_path_rate=0.,
    out_indices=(3, ),
    pad_small_map=True,
    # Swin's own initialisation: truncated normal (std 0.02) linear
    # weights, zero biases, LayerNorm (1, 0)
    init_cfg=[
        dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.),
        dict(type='Constant', layer='LayerNorm', val=1., bias=0.)
    ])
# channels of the four stages, for FPNs and projectors
swin_nano_channels = [32, 64, 128, 256]
