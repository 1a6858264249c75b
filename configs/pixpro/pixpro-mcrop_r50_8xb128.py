# PixPro with multi-crop (our option, not the paper's): the paper's 100-epoch
# ResNet-50 recipe (pixpro_r50_8xb128.py: LARS, batch 1024, bf16) on 2 global
# views at 224 px + 6 local views at 96 px, each local crop with at least
# 10 % of its area inside global view 0 (imagenet_multicrop.py). The global
# pair keeps l(1->2) + l(2->1); each local view goes through the online
# branch only (3x3 map, PPM) and is compared with the momentum targets of
# both global views; loss = (2 / P) * sum over the P = 14 directed pairs.
# Global views: BN statistics per view; the 6 local views run as one batch
# (6N, 3, 96, 96): statistics per size group.
_base_ = [
    '../_base_/models/pixpro_r50.py',
    '../_base_/datasets/imagenet_multicrop.py',
    '../_base_/schedules/lars_coslr-100e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    multi_crop=True,
    # views stacked per size: (2, N, 3, 224, 224) and (6, N, 3, 96, 96)
    data_preprocessor=dict(type='MultiViewDataPreprocessor',
                           stack_groups=True))
