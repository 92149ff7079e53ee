"""RFC 6962 / 9162 Merkle proofs. Known answers: the SHA-256 test vectors of transparency-dev/merkle
(proof/verify_test.go: eight leaves, the roots of every prefix, inclusion and consistency proofs);
properties with SM3, the hash the audit log uses."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from greenmfg.audit import merkle


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index 1-based, tree size, proof)
INCLUSION = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip


def kat_tree() -> merkle.Tree:
    tree = merkle.Tree(h=sha256)
    for leaf in LEAVES:
        tree.append(leaf)
    return tree


def test_roots_of_every_prefix_match_the_published_vectors():
    tree = kat_tree()
    assert [tree.root(n).hex() for n in range(1, 9)] == ROOTS
    assert tree.root(0) == sha256(b"")


def test_inclusion_proofs_match_and_verify():
    tree = kat_tree()
    for leaf, size, proof in INCLUSION:
        assert [p.hex() for p in tree.inclusion_proof(leaf - 1, size)] == proof
        hashes = [bytes.fromhex(p) for p in proof]
        root = bytes.fromhex(ROOTS[size - 1])
        leaf_hash = merkle.leaf_hash(LEAVES[leaf - 1], sha256)
        assert merkle.verify_inclusion(leaf - 1, size, leaf_hash, hashes, root, sha256)
        # the same corruptions the reference tests try
        assert not merkle.verify_inclusion(leaf, size, leaf_hash, hashes, root, sha256)
        assert not merkle.verify_inclusion(leaf - 1, size * 2, leaf_hash, hashes, root, sha256)
        assert not merkle.verify_inclusion(leaf - 1, size, b"WrongLeaf", hashes, root, sha256)
        assert not merkle.verify_inclusion(leaf - 1, size, leaf_hash, [*hashes, b""], root, sha256)
        assert not merkle.verify_inclusion(leaf - 1, size, leaf_hash, [root, *hashes], root, sha256)
        assert not merkle.verify_inclusion(leaf - 1, size, leaf_hash, hashes[:-1], root, sha256)


def test_consistency_proofs_match_and_verify():
    tree = kat_tree()
    for old, new, proof in CONSISTENCY:
        assert [p.hex() for p in tree.consistency_proof(old, new)] == proof
        hashes = [bytes.fromhex(p) for p in proof]
        r1, r2 = bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1])
        assert merkle.verify_consistency(old, new, r1, r2, hashes, sha256)
        assert not merkle.verify_consistency(old, new, r2, r1, hashes, sha256)
        assert not merkle.verify_consistency(old + 1, new, r1, r2, hashes, sha256)
        assert not merkle.verify_consistency(old, new, r1, r2, [], sha256)
        assert not merkle.verify_consistency(old, new, r1, r2, hashes[:-1], sha256)
        assert not merkle.verify_consistency(old, new, r1, r2, [*hashes, r1], sha256)
    assert merkle.verify_consistency(0, 5, b"x", b"y", [], sha256)
    assert not merkle.verify_consistency(2, 1, b"x", b"y", [], sha256)


def sm3_tree(entries: list[bytes]) -> merkle.Tree:
    tree = merkle.Tree()
    for entry in entries:
        tree.append(entry)
    return tree


@settings(max_examples=150, deadline=None)
@given(data=st.data(), n=st.integers(min_value=2, max_value=300))
def test_consistency_holds_and_any_single_leaf_change_breaks_it(data, n):
    entries = [f"event {i}".encode() for i in range(n)]
    m = data.draw(st.integers(min_value=1, max_value=n - 1), label="m")
    tree = sm3_tree(entries)
    proof = tree.consistency_proof(m, n)
    assert merkle.verify_consistency(m, n, tree.root(m), tree.root(n), proof)
    changed = data.draw(st.integers(min_value=0, max_value=n - 1), label="changed leaf")
    altered = sm3_tree([*entries[:changed], entries[changed] + b"!", *entries[changed + 1 :]])
    old_root = altered.root(m) if changed < m else tree.root(m)
    # a changed leaf inside the old tree changes the old root; after it, the new root: either way the
    # honest proof no longer links the signed roots
    assert not merkle.verify_consistency(m, n, tree.root(m), altered.root(n), proof)
    if changed < m:
        assert not merkle.verify_consistency(m, n, old_root, tree.root(n), proof)
    else:
        # a log rewritten after the old checkpoint cannot prove itself consistent with the signed roots
        forged = altered.consistency_proof(m, n)
        assert not merkle.verify_consistency(m, n, tree.root(m), tree.root(n), forged)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), n=st.integers(min_value=1, max_value=300))
def test_inclusion_holds_and_a_changed_leaf_is_not_included(data, n):
    entries = [f"event {i}".encode() for i in range(n)]
    tree = sm3_tree(entries)
    index = data.draw(st.integers(min_value=0, max_value=n - 1), label="index")
    proof = tree.inclusion_proof(index, n)
    leaf = merkle.leaf_hash(entries[index])
    assert merkle.verify_inclusion(index, n, leaf, proof, tree.root())
    assert not merkle.verify_inclusion(index, n, merkle.leaf_hash(entries[index] + b"!"), proof, tree.root())
    if n > 1:
        other = (index + 1) % n
        assert not merkle.verify_inclusion(other, n, leaf, proof, tree.root())


@settings(max_examples=50, deadline=None)
@given(n=st.integers(min_value=0, max_value=600), cut=st.integers(min_value=0, max_value=600))
def test_the_frontier_gives_the_same_roots_as_the_whole_tree(n, cut):
    entries = [f"event {i}".encode() for i in range(n)]
    tree = sm3_tree(entries)
    cut = min(cut, n)
    frontier = merkle.Frontier()
    for entry in entries[:cut]:
        frontier.append_leaf_hash(merkle.leaf_hash(entry))
    frontier = merkle.Frontier.from_json(frontier.as_json())  # as stored with a checkpoint
    assert frontier.root() == tree.root(cut) and frontier.size == cut
    for entry in entries[cut:]:
        frontier.append_leaf_hash(merkle.leaf_hash(entry))
    assert frontier.root() == tree.root()
