# Copyright (c) mmpixpro contributors. All rights reserved.
"""What a timing depends on: the machine, and a matmul yardstick of its
floating-point rate."""
import os
import platform
import time

import torch

from .device import synchronize

# the CPU vector units that decide convolution speed
CPU_FLAGS = ('avx2', 'avx512f', 'avx512_bf16', 'avx512_vnni', 'amx_bf16')


def machine_info(device: torch.device) -> dict:
    """What the figures depend on: CPU model and vector units, threads,
    torch version and the GPU.

    Args:
        device (torch.device): The device timed (GPU name, matmul rate).

    Returns:
        dict: ``cpu``, ``cpu_flags`` (those of :data:`CPU_FLAGS` present),
        ``cores``, ``torch_threads``, ``torch``, ``gpu`` (or None) and
        ``matmul_gflops`` (see :func:`matmul_gflops`).
    """
    fields = _cpuinfo()
    cpu = fields.get('model name') or platform.processor() or \
        platform.machine()
    if 'cpu family' in fields:  # VMs often hide the model name
        cpu += f' (family {fields["cpu family"]}, model {fields["model"]})'
    flags = set(fields.get('flags', '').split())
    gpu = (torch.cuda.get_device_name(device)
           if device.type == 'cuda' else None)
    return dict(
        cpu=cpu,
        cpu_flags=[f for f in CPU_FLAGS if f in flags],
        cores=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        torch=torch.__version__,
        gpu=gpu,
        matmul_gflops=round(matmul_gflops(device), 1))


def _cpuinfo() -> dict:
    """The first value of every ``/proc/cpuinfo`` field ({} elsewhere)."""
    fields = {}
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                key, _, value = line.partition(':')
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return fields


def matmul_gflops(device: torch.device, n: int = 2048,
                  repeats: int = 5) -> float:
    """Best fp32 rate of an ``n x n`` matrix product on ``device``.

    A yardstick for the step rates: a ResNet train step cannot do many
    more floating-point operations per second than a large matmul.

    Args:
        device (torch.device): Where to multiply.
        n (int): Matrix side.
        repeats (int): Timed products (after one untimed).

    Returns:
        float: GFLOP/s (2 n^3 operations per product), best of ``repeats``.
    """
    a = torch.randn(n, n, device=device)
    best = float('inf')
    for _ in range(repeats + 1):  # the first product warms up
        synchronize(device)
        start = time.perf_counter()
        a @ a
        synchronize(device)
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9
