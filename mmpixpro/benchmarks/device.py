# Copyright (c) mmpixpro contributors. All rights reserved.
"""The two device queries every timing needs: wait for queued work, and
the bytes allocated (CUDA; 0 elsewhere)."""
import torch


def synchronize(device: torch.device) -> None:
    """Wait until ``device`` has finished its queued work (CUDA only).

    Args:
        device (torch.device): The device timed.
    """
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def allocated(device: torch.device) -> int:
    """Bytes allocated on a CUDA device (0 elsewhere).

    Args:
        device (torch.device): The device timed.

    Returns:
        int: ``torch.cuda.memory_allocated`` of ``device``, or 0.
    """
    return (torch.cuda.memory_allocated(device)
            if device.type == 'cuda' else 0)
