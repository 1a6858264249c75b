# RegionCL-M (https://arxiv.org/abs/2111.12309): MoCo v2 (mocov2_r50.py:
# ResNet-50, MLP neck, queue 65536, T 0.2, constant m 0.999) whose query
# view also goes through the network with a box of 3-5 cells of 32 px
# swapped between images i and B-1-i; RegionCLNeck pools the canvas and the
# paste region, and both are contrasted with the key (loss weight 1.0).
_base_ = ['./mocov2_r50.py']

model = dict(
    type='RegionCLM',
    swap_cells=(3, 5),  # the authors' cutMixLower=3, cutMixUpper=6
    cell=32,  # ResNet's output stride
    region_weight=1.0,  # loss_cutmix
    neck=dict(type='RegionCLNeck'))
