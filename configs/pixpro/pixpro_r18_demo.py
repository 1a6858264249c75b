# PixPro demo: ResNet-18, 128 px crops, the embedded real photographs
# (data/demo/, built by tools/dataset_converters/build_demo_set.py), CPU, a few
# minutes. Same algorithm, loss and schedule shape as the paper's recipe.
# The model and hooks (momentum schedule, pictures, dense probe):
# configs/_base_/models/pixpro_r18-demo.py.
_base_ = [
    '../_base_/models/pixpro_r18-demo.py',
    '../_base_/datasets/demo_pixpro.py',
    '../_base_/schedules/lars_coslr-12e.py',
    '../_base_/demo_runtime.py',
]

# mixed precision (bf16) is inherited: used on a GPU, fp32 on a CPU-only host
