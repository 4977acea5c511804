"""CRC-32C (Castagnoli), as TensorFlow's checkpoints and tables store it, in numpy.

Long inputs are cut into equal lanes whose CRCs numpy computes side by side (one table lookup per byte
column); the lane CRCs are then chained with the linear map "run L zero bytes through the register".
"""

from __future__ import annotations

from functools import cache

import numpy as np

POLYNOMIAL = 0x82F63B78
MASK_DELTA = 0xA282EAD8
LANES = 4096
MIN_LANE = 64


@cache
def _table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        table = np.where(table & 1, (table >> 1) ^ np.uint32(POLYNOMIAL), table >> 1).astype(np.uint32)
    return table


def _run(state: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Feed each row of `columns` (one byte per lane) into the lane registers `state`."""
    table = _table()
    for column in columns:
        state = table[(state ^ column) & 0xFF] ^ (state >> 8)
    return state


@cache
def _zeros_operator(length: int) -> np.ndarray:
    """Four 256-entry tables giving the register after `length` zero bytes, byte by byte of the input."""
    basis = _run(np.uint32(1) << np.arange(32, dtype=np.uint32), np.zeros((length, 1), np.uint8))
    bits = (np.arange(256)[:, None] >> np.arange(8)) & 1
    tables = np.zeros((4, 256), np.uint32)
    for k in range(4):
        images = basis[8 * k : 8 * k + 8]
        chosen = np.where(bits.astype(bool), images[None, :], np.uint32(0))
        tables[k] = np.bitwise_xor.reduce(chosen, axis=1)
    return tables


def crc32c(data: bytes | np.ndarray, start: int = 0) -> int:
    """The CRC-32C of `data`; `start` continues the CRC of what came before (TensorFlow's `Extend`)."""
    buffer = np.frombuffer(memoryview(data).cast("B"), np.uint8)  # type: ignore[arg-type]  # numpy arrays are buffers
    state = start ^ 0xFFFFFFFF
    lane = len(buffer) // LANES
    if lane >= MIN_LANE:
        body = np.ascontiguousarray(buffer[: lane * LANES].reshape(LANES, lane).T)
        lane_crcs = _run(np.zeros(LANES, np.uint32), body)
        shift = _zeros_operator(lane)
        for value in lane_crcs.tolist():
            state = (
                int(shift[0, state & 0xFF])
                ^ int(shift[1, (state >> 8) & 0xFF])
                ^ int(shift[2, (state >> 16) & 0xFF])
                ^ int(shift[3, state >> 24])
                ^ value
            )
        buffer = buffer[lane * LANES :]
    table = _table().tolist()
    for byte in buffer.tolist():
        state = table[(state ^ byte) & 0xFF] ^ (state >> 8)
    return state ^ 0xFFFFFFFF


def masked(crc: int) -> int:
    """The masked form TensorFlow stores (a CRC of data that holds CRCs stays useful)."""
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + MASK_DELTA) & 0xFFFFFFFF
