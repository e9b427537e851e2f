"""Chapter video files: where they live and the demo clips shipped with the package.

The three clips in ``media/`` are 20-second 320x180 H.264 MP4 files made
locally with ffmpeg from its built-in ``color`` and ``testsrc2`` sources, one
colour per category, so the demo plays real video without downloading anything.
"""

import shutil
from importlib import resources
from pathlib import Path

DEMO_CLIPS = ("demo-political.mp4", "demo-general.mp4", "demo-job_skills.mp4")


def default_video_file(category: str) -> str:
    """Return the demo clip used for a chapter whose catalog entry names no video file."""
    return f"demo-{category}.mp4"


def install_demo_clips(media_dir: Path) -> list[Path]:
    """Copy the packaged demo clips into the media directory (existing files are kept)."""
    media_dir.mkdir(parents=True, exist_ok=True)
    installed = []
    packaged = resources.files("learning_service") / "media"
    for name in DEMO_CLIPS:
        target = media_dir / name
        if not target.exists():
            with resources.as_file(packaged / name) as source:
                shutil.copyfile(source, target)
        installed.append(target)
    return installed


def video_path(media_dir: Path, video_file: str) -> Path | None:
    """Return the file of a chapter's video, or None when it is missing.

    Falls back to the packaged clip of the same name, so the demo catalog
    plays even before ``seed-demo`` copied the clips.
    """
    candidate = (media_dir / video_file).resolve()
    if candidate.parent == media_dir.resolve() and candidate.is_file():
        return candidate
    if video_file in DEMO_CLIPS:
        with resources.as_file(resources.files("learning_service") / "media" / video_file) as packaged:
            if packaged.is_file():
                return packaged
    return None
