"""The library of short voice clips boards chain into calls, and how to generate it offline.

Halls often have no internet, so a call such as 请 A023 号 到 3 号窗口 办理 is built from clips
played one after another. The library is generated with espeak-ng (Debian's free offline
voice) and sox; a hall may replace any clip with a human recording of the same file name (see
docs/boards.md). espeak-ng's plain `cmn` voice misreads Chinese characters, so the Mandarin
clips are written in pinyin with tone numbers and spoken by its `cmn-latn-pinyin` voice.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PACKAGED_CLIPS = Path(__file__).resolve().parent / "static" / "voice"
SAMPLE_RATE = 16000  # plenty for speech, and keeps the committed library small
MANDARIN_VOICE = "cmn-latn-pinyin"
ENGLISH_VOICE = "en"
CHIME = "chime.wav"


@dataclass(frozen=True)
class Clip:
    name: str  # the path under the voice directory, e.g. "zh/digit-3.wav"
    voice: str
    text: str  # what espeak-ng reads: pinyin with tone numbers for Mandarin


DIGITS_PINYIN = ["ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3"]
# Letters as Chinese speakers say them on a call (A = ei, W = da bu liu), in pinyin.
LETTERS_PINYIN = {
    "a": "ei1", "b": "bi4", "c": "xi1", "d": "di4", "e": "yi4", "f": "ai2 fu1", "g": "ji4",
    "h": "ai2 qi1", "i": "ai4", "j": "jie4", "k": "kai4", "l": "ai2 le5", "m": "ai2 mu5",
    "n": "en1", "o": "ou1", "p": "pi1", "q": "kiu1", "r": "a4 er5", "s": "ai2 si1",
    "t": "ti4", "u": "you1", "v": "wei1", "w": "da2 bu5 liu1", "x": "ai2 ke5 si1",
    "y": "wai4", "z": "zei4",
}  # fmt: skip
MANDARIN_WORDS = {
    "qing": "qing3",  # 请
    "hao": "hao4",  # 号
    "dao": "dao4",  # 到
    "chuangkou": "chuang1 kou3",  # 窗口
    "banli": "ban4 li3",  # 办理
    "shi": "shi2",  # 十, for window numbers such as 十二
    "zaici": "zai4 ci4",  # 再次, in a recall: 请 A023 号 再次到 3 号窗口 办理
}
ENGLISH_NUMBERS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
ENGLISH_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty",
                70: "seventy", 80: "eighty", 90: "ninety"}  # fmt: skip
ENGLISH_WORDS = {
    "number": "Number",
    "please-go-to-window": "please go to window",
    "again": "again",  # a recall: "Number A023, please go to window 3 again"
}


def clip_catalogue() -> list[Clip]:
    """Every clip the boards' phrase builder (display/static/announcer.js) may ask for."""
    clips = [Clip(f"zh/{name}.wav", MANDARIN_VOICE, text) for name, text in MANDARIN_WORDS.items()]
    clips += [Clip(f"zh/digit-{d}.wav", MANDARIN_VOICE, t) for d, t in enumerate(DIGITS_PINYIN)]
    clips += [Clip(f"zh/letter-{k}.wav", MANDARIN_VOICE, t) for k, t in LETTERS_PINYIN.items()]
    clips += [Clip(f"en/{name}.wav", ENGLISH_VOICE, text) for name, text in ENGLISH_WORDS.items()]
    clips += [Clip(f"en/n-{n}.wav", ENGLISH_VOICE, t) for n, t in enumerate(ENGLISH_NUMBERS)]
    clips += [Clip(f"en/n-{n}.wav", ENGLISH_VOICE, t) for n, t in ENGLISH_TENS.items()]
    clips += [Clip(f"en/letter-{k}.wav", ENGLISH_VOICE, k.upper()) for k in LETTERS_PINYIN]
    return clips


def clip_names() -> list[str]:
    return [CHIME] + [clip.name for clip in clip_catalogue()]


class VoiceToolMissing(RuntimeError):
    """espeak-ng or sox is not installed (Debian: apt-get install espeak-ng sox)."""


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise VoiceToolMissing(f"{name} is not installed; on Debian: apt-get install espeak-ng sox")
    return found


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:2])} failed: {result.stderr.strip()[:500]}")


def speak_clip(clip: Clip, target: Path, words_per_minute: int = 170) -> Path:
    """Speak one clip with espeak-ng, then trim its silences and store 16 kHz mono 16-bit WAV."""
    espeak, sox = _tool("espeak-ng"), _tool("sox")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        raw = Path(scratch) / "raw.wav"
        # No -q: with it espeak-ng writes no file at all.
        _run([espeak, "-v", clip.voice, "-s", str(words_per_minute), "-w", str(raw), clip.text])
        _run([
            sox, str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(target),
            # Cut the leading and trailing silence so chained clips sound like one sentence.
            "silence", "1", "0.02", "1%", "reverse", "silence", "1", "0.02", "1%", "reverse",
            "norm", "-3", "pad", "0", "0.04",
        ])  # fmt: skip
    return target


def synthesise_chime(target: Path) -> Path:
    """A two-tone ding-dong (E5 then C5, softly decaying), so people look up before the call."""
    sox = _tool("sox")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        tones = []
        for index, (note, seconds) in enumerate((("E5", 0.35), ("C5", 0.65))):
            tone = Path(scratch) / f"tone{index}.wav"
            _run([
                sox, "-n", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(tone),
                "synth", str(seconds), "sine", note,
                "fade", "q", "0.01", str(seconds), str(round(seconds * 0.85, 3)), "vol", "0.5",
            ])  # fmt: skip
            tones.append(str(tone))
        _run([sox, *tones, str(target), "pad", "0", "0.15"])
    return target


def generate_library(
    target_directory: Path = PACKAGED_CLIPS, only: list[str] | None = None
) -> list[Path]:
    """Write the chime and every clip (or only the named ones) into target_directory."""
    wanted = set(only) if only else None
    unknown = (wanted or set()) - set(clip_names())
    if unknown:
        raise ValueError(f"unknown clips: {sorted(unknown)}")
    written = []
    if wanted is None or CHIME in wanted:
        written.append(synthesise_chime(target_directory / CHIME))
    for clip in clip_catalogue():
        if wanted is None or clip.name in wanted:
            written.append(speak_clip(clip, target_directory / clip.name))
    return written
