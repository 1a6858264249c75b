# Copyright (c) mmpixpro contributors. All rights reserved.
"""The kept frames of a video (one in every ``step``, at most
``max_frames``), decoded with OpenCV."""
from typing import Iterator, List, Tuple

import cv2
from PIL import Image


def video_frame_indices(num_frames: int, step: int,
                        max_frames: int) -> List[int]:
    """Choose which frames of a video to keep.

    Args:
        num_frames (int): Number of frames in the video.
        step (int): Keep one frame in every ``step``.
        max_frames (int): Upper bound; evenly thinned out beyond it.

    Returns:
        list[int]: Sorted frame indices.
    """
    kept = list(range(0, num_frames, max(1, step)))
    if max_frames > 0 and len(kept) > max_frames:
        if max_frames == 1:
            return kept[:1]
        last = len(kept) - 1
        kept = [kept[round(i * last / (max_frames - 1))]
                for i in range(max_frames)]
    return kept


def iter_video_frames(path: str, step: int,
                      max_frames: int) -> Iterator[Tuple[int, Image.Image]]:
    """Decode the kept frames of a video with OpenCV.

    Args:
        path (str): Video file.
        step (int): Keep one frame in every ``step``.
        max_frames (int): At most this many frames per video.

    Yields:
        tuple[int, PIL.Image.Image]: Frame index and RGB frame.
    """
    cap = cv2.VideoCapture(path)
    try:
        total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        if total <= 0:  # unreliable header: count by grabbing
            while cap.grab():
                total += 1
            cap.release()
            cap = cv2.VideoCapture(path)
        wanted = set(video_frame_indices(total, step, max_frames))
        for index in range(total):
            if not cap.grab():
                break
            if index in wanted:
                ok, frame = cap.retrieve()
                if ok:
                    yield index, Image.fromarray(
                        cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    finally:
        cap.release()
