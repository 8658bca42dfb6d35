"""The embedded model through the shared model actor: a seeded call's text does not depend on the call before.

The two arms of a pairing send identical round-1 prompts with identical seeds through one actor, so the
second arm's call often comes right after the first's. llama-cpp-python then decoded only the prompt's
last token, alone, and llama.cpp's one-token batch gives different logits from the same row in a longer
batch: the arms' transcripts diverged (2 of 6 round-1 pairs of the main job). ``_keep_prompt_tail_batched``
in arena/llm/embedded.py is the fix this test pins.
"""

from __future__ import annotations

import asyncio

from arena.config.model_spec import ModelSpec
from arena.runtime.model_actor import RemoteChatModel

# Same loading settings as tests/llm/test_model_actor.py (one actor, one loaded model per session);
# temperature 1.0 so that a small change in the first token's logits shows in the text.
PLAYER = ModelSpec(max_tokens=8, temperature=1.0, n_threads=1)
CRITIC = ModelSpec(max_tokens=4, temperature=0.7, n_threads=1)  # another card on the same engine
OTHER = [{"role": "user", "content": "Give one tip for bargaining at a market."}]


def _messages(offer: int) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "You are a seller at a market stall, bargaining over the price of an item."},
        {
            "role": "user",
            "content": f"You sell a red party balloon that cost you $8. The buyer offers ${offer}. "
            "Answer in one short sentence.",
        },
    ]


async def _texts_after(before: str) -> list[str]:
    """For each (seed, offer): the reply, after a call chosen by ``before``."""
    player, critic = RemoteChatModel(PLAYER), RemoteChatModel(CRITIC)
    texts = []
    for seed in (1, 2):
        for offer in (10, 11, 12, 13, 14, 15):
            messages = _messages(offer)
            if before == "same prompt":  # the other arm's identical call: the whole prompt is cached
                await player.complete(messages, seed=seed)
            else:  # another card's unrelated call: nothing but the chat template's start is cached
                await critic.complete(OTHER, seed=seed)
            texts.append((await player.complete(messages, seed=seed)).text)
    return texts


def test_a_seeded_call_gives_the_same_text_whatever_call_came_before(ray_session) -> None:
    after_other = asyncio.run(_texts_after("other prompt"))
    after_same = asyncio.run(_texts_after("same prompt"))
    assert all(text.strip() for text in after_other)
    differing = [(i, a, b) for i, (a, b) in enumerate(zip(after_other, after_same, strict=True)) if a != b]
    assert differing == [], f"{len(differing)} of {len(after_other)} replies changed with the previous call"
