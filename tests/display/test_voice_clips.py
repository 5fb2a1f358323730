"""The voice clip library: espeak-ng (pinyin voice) and sox really generate short 16 kHz mono
WAV clips, and the committed library is complete, well formed and small."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner

from display.voice_clips import (
    CHIME,
    PACKAGED_CLIPS,
    SAMPLE_RATE,
    clip_catalogue,
    clip_names,
    generate_library,
)
from hall_server.cli import cli

LIBRARY_LIMIT_BYTES = 2 * 1024 * 1024


def wav_facts(path: Path) -> tuple[int, int, int, float]:
    with wave.open(str(path), "rb") as clip:
        frames = clip.getnframes()
        return (
            clip.getnchannels(),
            clip.getframerate(),
            clip.getsampwidth(),
            frames / clip.getframerate(),
        )


def sox_seconds(path: Path) -> float:
    result = subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True)
    return float(result.stdout)


def test_espeak_speaks_pinyin_clips_into_short_16k_mono_wavs(tmp_path: Path) -> None:
    wanted = [CHIME, "zh/qing.wav", "zh/chuangkou.wav", "zh/letter-w.wav", "en/n-12.wav"]

    written = generate_library(tmp_path, only=wanted)

    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == sorted(wanted)
    for path in written:
        channels, rate, width, seconds = wav_facts(path)
        assert (channels, rate, width) == (1, SAMPLE_RATE, 2), path
        assert 0.1 < seconds < 2.0, (path, seconds)
        assert sox_seconds(path) == pytest.approx(seconds, abs=0.01)
    # Two syllables (chuang kou) take longer than one (qing): the voice read the pinyin.
    assert wav_facts(tmp_path / "zh/chuangkou.wav")[3] > wav_facts(tmp_path / "zh/qing.wav")[3]
    # Silence is trimmed, so chained clips sound like one sentence.
    with wave.open(str(tmp_path / "zh/qing.wav"), "rb") as clip:
        start = clip.readframes(int(SAMPLE_RATE * 0.01))
    assert max(abs(int.from_bytes(start[i : i + 2], "little", signed=True))
               for i in range(0, len(start), 2)) > 50  # fmt: skip


def test_the_mandarin_clips_are_written_in_pinyin_with_tones() -> None:
    for clip in clip_catalogue():
        if clip.name.startswith("zh/"):
            assert clip.voice == "cmn-latn-pinyin"
            assert all(syllable[-1].isdigit() for syllable in clip.text.split()), clip


def test_the_committed_library_is_complete_well_formed_and_small() -> None:
    missing = [name for name in clip_names() if not (PACKAGED_CLIPS / name).is_file()]
    assert not missing
    total = 0
    for name in clip_names():
        channels, rate, width, seconds = wav_facts(PACKAGED_CLIPS / name)
        assert (channels, rate, width) == (1, SAMPLE_RATE, 2), name
        assert 0.1 < seconds < 2.0, (name, seconds)
        total += (PACKAGED_CLIPS / name).stat().st_size
    assert total < LIBRARY_LIMIT_BYTES


def test_hallq_voice_clips_generates_the_named_clips(tmp_path: Path) -> None:
    runner = CliRunner()

    listed = runner.invoke(cli, ["voice-clips", "--list"])
    made = runner.invoke(
        cli, ["voice-clips", "--output", str(tmp_path), "--only", "zh/digit-7.wav"]
    )
    unknown = runner.invoke(cli, ["voice-clips", "--output", str(tmp_path), "--only", "zh/x.wav"])

    assert listed.exit_code == 0 and "zh/digit-7.wav" in listed.output.split()
    assert made.exit_code == 0, made.output
    assert wav_facts(tmp_path / "zh" / "digit-7.wav")[:3] == (1, SAMPLE_RATE, 2)
    assert unknown.exit_code != 0 and "unknown clips" in unknown.output
