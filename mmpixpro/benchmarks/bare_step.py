# Copyright (c) mmpixpro contributors. All rights reserved.
"""The bare-PyTorch limit of a PixPro train step (no framework)."""
import copy

import torch
import torchvision
from torch import nn

# ImageNet mean and std of the data preprocessor, in 0-255
MEAN = (123.675, 116.28, 103.53)
STD = (58.395, 57.12, 57.375)


class BarePixProStep:
    """The bare-PyTorch limit: a PixPro-shaped step without the framework.

    Two online views forward + backward through a torchvision ResNet and a
    per-pixel projector, two forwards through a momentum copy, SGD, the
    momentum update; the loss is a cosine between the online and target
    maps (no PPM, no positive mask): what any PixPro step must compute.

    Args:
        depth (int): ResNet depth (18/34/50/101).
        hid_channels (int): Projector hidden width.
        device (torch.device): Device.
        channels_last (bool): Use the channels-last memory format.
        amp (bool): bf16 autocast (CUDA only).
    """

    def __init__(self, depth: int, hid_channels: int,
                 device: torch.device, channels_last: bool = True,
                 amp: bool = False) -> None:
        backbone = getattr(torchvision.models, f'resnet{depth}')()
        backbone.fc = nn.Identity()
        backbone.avgpool = nn.Identity()
        in_channels = 512 if depth < 50 else 2048
        self.trunk = nn.Sequential(*list(backbone.children())[:-2])
        proj = nn.Sequential(
            nn.Conv2d(in_channels, hid_channels, 1), nn.BatchNorm2d(
                hid_channels), nn.ReLU(inplace=True),
            nn.Conv2d(hid_channels, 256, 1))
        self.online = nn.Sequential(self.trunk, proj).to(device)
        self.target = copy.deepcopy(self.online)
        for p in self.target.parameters():
            p.requires_grad_(False)
        fmt = torch.channels_last if channels_last else torch.contiguous_format
        self.online.to(memory_format=fmt)
        self.target.to(memory_format=fmt)
        self.fmt, self.device, self.amp = fmt, device, amp
        self.opt = torch.optim.SGD(
            self.online.parameters(), lr=0.01, momentum=0.9)
        self.mean = torch.tensor(MEAN, device=device).view(1, 3, 1, 1)
        self.std = torch.tensor(STD, device=device).view(1, 3, 1, 1)

    def __call__(self, data: dict) -> float:
        """One train step on ``data`` (``inputs``: two uint8 views).

        Args:
            data (dict): A batch as :func:`synthetic_batch` gives it.

        Returns:
            float: The loss of the step.
        """
        views = [((v.to(self.device).float() - self.mean) /
                  self.std).contiguous(memory_format=self.fmt)
                 for v in data['inputs']]
        with torch.no_grad():
            torch._foreach_lerp_(
                list(self.target.parameters()),
                list(self.online.parameters()), 0.01)
        with torch.autocast(self.device.type, torch.bfloat16,
                            enabled=self.amp):
            online = [self.online(v) for v in views]
            with torch.no_grad():
                target = [self.target(v) for v in views]
            loss = -sum(
                nn.functional.cosine_similarity(o.float(), t.float()).mean()
                for o, t in zip(online, reversed(target)))
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        return float(loss.detach())
