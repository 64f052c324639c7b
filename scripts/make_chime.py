"""Generate static/sounds/chime.wav: a soft two-tone chime, made here, no external asset.

python scripts/make_chime.py
"""

import math
import struct
import wave
from pathlib import Path

RATE = 22050
OUT = Path(__file__).resolve().parents[1] / "static" / "sounds" / "chime.wav"


def tone(freq: float, start: float, length: float, t: float) -> float:
    if t < start or t > start + length:
        return 0.0
    x = t - start
    envelope = min(1.0, x / 0.01) * math.exp(-3.5 * x)
    return envelope * (math.sin(2 * math.pi * freq * x) + 0.3 * math.sin(4 * math.pi * freq * x))


def main() -> None:
    frames = bytearray()
    total = 1.2
    for i in range(int(RATE * total)):
        t = i / RATE
        v = 0.35 * (tone(880.0, 0.0, 1.0, t) + tone(1318.5, 0.18, 1.0, t))
        frames += struct.pack("<h", int(max(-1.0, min(1.0, v)) * 32767))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(bytes(frames))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
