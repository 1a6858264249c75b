# AdamW as DINO pretrains ViTs (facebookresearch/dino, main_dino.py defaults
# and utils.get_params_groups; iBOT's main_ibot.py keeps them):
# - lr 5e-4 per 256 images at the end of a 10-epoch linear warm-up (linear
#   scaling, auto_scale_lr below), then per-iteration cosine to 1e-6;
# - weight decay 0.04 -> 0.4 by a cosine over the whole run (per iteration),
#   on the regularised group only: biases and every 1-D parameter (norms)
#   take no decay (flat_decay_mult=0: DINO's rule "name ends with .bias or
#   1-D"). DINO does decay pos_embed and cls_token (3-D tensors); timm, MAE
#   and BEiT exclude them: to do so, add custom_keys={'pos_embed':
#   dict(decay_mult=0.), 'cls_token': dict(decay_mult=0.)};
# - gradient norm clipped at 3.0; AdamW betas (0.9, 0.999) (PyTorch's
#   defaults, which DINO uses); mixed precision (DINO: fp16, here bf16).
# Layer-wise lr decay is a FINE-TUNING setting of these recipes (BEiT, iBOT and
# MAE fine-tune with it; DINO and iBOT do not pretrain with it), so it is not
# used here. To fine-tune an exported ViT-B/16 with it in mmpretrain, as its
# MAE benchmark (mae/benchmarks/vit-base-p16_8xb128-coslr-100e_in1k.py):
#     optim_wrapper = dict(
#         optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.05,
#                        betas=(0.9, 0.999)),
#         constructor='LearningRateDecayOptimWrapperConstructor',
#         paramwise_cfg=dict(layer_decay_rate=0.65, custom_keys={
#             '.ln': dict(decay_mult=0.), '.bias': dict(decay_mult=0.),
#             '.cls_token': dict(decay_mult=0.),
#             '.pos_embed': dict(decay_mult=0.)}))
# (0.75 in BEiT-L / MAE-L fine-tuning; smaller ViTs usually take a rate
# closer to 1: tune it for ViT-S).
optim_wrapper = dict(
    type='NonFiniteSkipAmpOptimWrapper',
    dtype='bfloat16',
    optimizer=dict(
        type='AdamW', lr=5e-4, betas=(0.9, 0.999), weight_decay=0.04),
    clip_grad=dict(max_norm=3.0),
    paramwise_cfg=dict(flat_decay_mult=0.))
max_epochs = 300
warmup_epochs = 10
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-6,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - warmup_epochs,
        eta_min=1e-6,
        by_epoch=True,
        begin=warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True),
    # weight decay of each group: its initial value x (0.04 -> 0.4) / 0.04
    # (eta_min_ratio), so the groups without decay stay at 0
    dict(
        type='CosineAnnealingParamScheduler',
        param_name='weight_decay',
        eta_min_ratio=10.,
        T_max=max_epochs,
        by_epoch=True,
        begin=0,
        end=max_epochs,
        convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
# lr = 5e-4 x batch / 256 (= 2e-3 at 8 GPUs x 128)
auto_scale_lr = dict(base_batch_size=256, enable=True)
