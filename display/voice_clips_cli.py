"""`hallq voice-clips`: (re)generate the boards' voice clip library with espeak-ng and sox."""

from __future__ import annotations

from pathlib import Path

import click

from display.voice_clips import PACKAGED_CLIPS, VoiceToolMissing, clip_names, generate_library


@click.command(help="Generate the chime and the Mandarin/English clips boards chain into calls.")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=PACKAGED_CLIPS,
    show_default=True,
    help="where to write; halls keep human recordings in instance/voice/ instead",
)
@click.option("--only", multiple=True, help="just this clip, e.g. zh/qing.wav (repeatable)")
@click.option("--list", "list_only", is_flag=True, help="print the clip names and stop")
def command(output: Path, only: tuple[str, ...], list_only: bool) -> None:
    if list_only:
        click.echo("\n".join(clip_names()))
        return
    try:
        written = generate_library(output, list(only) or None)
    except (VoiceToolMissing, ValueError) as problem:
        raise click.ClickException(str(problem)) from problem
    size = sum(path.stat().st_size for path in written)
    click.echo(f"wrote {len(written)} clips ({size / 1024:.0f} KiB) to {output}")
