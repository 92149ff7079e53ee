"""RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs, with the hash as a
parameter (SM3 for the audit log; SHA-256 only for the published test vectors).

Pure Python, no Django: the offline verifier of an exported log uses it without a database. Written here
rather than taken from a library because none keeps both the RFC proof encoding and a pluggable hash
(pymerkle 7.0 allows only SHA-2/SHA-3/Keccak and encodes proofs its own way). The verification
functions follow RFC 9162 §2.1.3.2 and §2.1.4.2 step by step; the generation functions are RFC 6962
§2.1.1 (PATH) and §2.1.2 (SUBPROOF).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cryptography.hazmat.primitives import hashes

Hash = Callable[[bytes], bytes]

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def leaf_hash(entry: bytes, h: Hash = sm3) -> bytes:
    return h(LEAF_PREFIX + entry)


def node_hash(left: bytes, right: bytes, h: Hash = sm3) -> bytes:
    return h(NODE_PREFIX + left + right)


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


class Tree:
    """The leaf hashes of a log, with every complete subtree's hash kept, so that any root, inclusion
    proof or consistency proof costs O(log² n) after an O(n) build."""

    def __init__(self, leaves: Sequence[bytes] = (), h: Hash = sm3) -> None:
        self.h = h
        self.levels: list[list[bytes]] = [[]]
        for leaf in leaves:
            self.append_leaf_hash(leaf)

    def __len__(self) -> int:
        return len(self.levels[0])

    def append_leaf_hash(self, leaf: bytes) -> None:
        self.levels[0].append(leaf)
        level = 0
        # a node completes whenever its level holds an even number of hashes
        while len(self.levels[level]) % 2 == 0:
            row = self.levels[level]
            parent = node_hash(row[-2], row[-1], self.h)
            if len(self.levels) == level + 1:
                self.levels.append([])
            self.levels[level + 1].append(parent)
            level += 1

    def append(self, entry: bytes) -> None:
        self.append_leaf_hash(leaf_hash(entry, self.h))

    def _range(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for the ranges the RFC recursion visits (lo aligned to the largest power of two
        that fits)."""
        n = hi - lo
        if n & (n - 1) == 0:
            level = n.bit_length() - 1
            return self.levels[level][lo >> level]
        k = _split(n)
        return node_hash(self._range(lo, lo + k), self._range(lo + k, hi), self.h)

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first `size` leaves (all by default); the hash of the empty string for none."""
        size = len(self) if size is None else size
        if not 0 <= size <= len(self):
            raise ValueError(f"tree size {size} outside 0..{len(self)}")
        return self.h(b"") if size == 0 else self._range(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        size = len(self) if size is None else size
        if not 0 <= index < size <= len(self):
            raise ValueError(f"leaf {index} not in a tree of size {size}")
        return self._path(index, 0, size)

    def _path(self, m: int, lo: int, hi: int) -> list[bytes]:
        n = hi - lo
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*self._path(m, lo, lo + k), self._range(lo + k, hi)]
        return [*self._path(m - k, lo + k, hi), self._range(lo, lo + k)]

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        new_size = len(self) if new_size is None else new_size
        if not 0 < old_size <= new_size <= len(self):
            raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
        return self._subproof(old_size, 0, new_size, True)

    def _subproof(self, m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if complete else [self._range(lo, hi)]
        k = _split(n)
        if m <= k:
            return [*self._subproof(m, lo, lo + k, complete), self._range(lo + k, hi)]
        return [*self._subproof(m - k, lo + k, hi, False), self._range(lo, lo + k)]


def root_from_inclusion_proof(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], h: Hash = sm3
) -> bytes:
    """RFC 9162 §2.1.3.2: the root the proof leads to; ValueError when the proof cannot belong to the
    given index and size (too long, too short)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} outside a tree of size {size}")
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if sn == 0:
            raise ValueError("inclusion proof too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r, h)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p, h)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("inclusion proof too short")
    return r


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes, h: Hash = sm3
) -> bool:
    try:
        return root_from_inclusion_proof(index, size, leaf, proof, h) == root
    except ValueError:
        return False


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes], h: Hash = sm3
) -> bool:
    """RFC 9162 §2.1.4.2: True when the tree of `new_size` leaves with `new_root` extends the tree of
    `old_size` leaves with `old_root`."""
    if old_size > new_size:
        return False
    if old_size == new_size:
        return old_root == new_root and not proof
    if old_size == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node of the path
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr, h)
            sr = node_hash(c, sr, h)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c, h)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


class Frontier:
    """The right edge of a tree (the roots of its perfect subtrees, largest first): enough to append
    leaves and compute each new root without the older leaves. A checkpoint keeps it, so the next one
    costs only the events appended since."""

    def __init__(self, nodes: Sequence[tuple[int, bytes]] = (), h: Hash = sm3) -> None:
        self.nodes = list(nodes)
        self.h = h

    @property
    def size(self) -> int:
        return sum(width for width, _ in self.nodes)

    def append_leaf_hash(self, leaf: bytes) -> None:
        self.nodes.append((1, leaf))
        while len(self.nodes) >= 2 and self.nodes[-1][0] == self.nodes[-2][0]:
            (width, right), (_, left) = self.nodes.pop(), self.nodes.pop()
            self.nodes.append((2 * width, node_hash(left, right, self.h)))

    def root(self) -> bytes:
        if not self.nodes:
            return self.h(b"")
        root = self.nodes[-1][1]
        for _, left in reversed(self.nodes[:-1]):
            root = node_hash(left, root, self.h)
        return root

    def as_json(self) -> list[list[int | str]]:
        return [[width, node.hex()] for width, node in self.nodes]

    @classmethod
    def from_json(cls, data: Sequence[Sequence[int | str]]) -> Frontier:
        nodes = [(int(width), bytes.fromhex(str(node))) for width, node in data]
        widths = [w for w, _ in nodes]
        if any(w & (w - 1) or w <= 0 for w in widths) or widths != sorted(set(widths), reverse=True):
            raise ValueError("not the right edge of a Merkle tree")
        return cls(nodes)
