# PixContrast on the CPU demo (ResNet-18, 128 px, data/demo/).
_base_ = ['../pixpro/pixpro_r18_demo.py']

model = dict(
    head=dict(
        _delete_=True,
        type='PixelContrastHead',
        loss=dict(type='PixContrastLoss', temperature=0.3,
                  pos_threshold=0.7)))
