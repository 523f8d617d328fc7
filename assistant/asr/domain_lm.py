"""The domain language model of the pocketsphinx engine, written as ARPA text.

Commands must be heard well and other talk must still come out as ordinary words,
so the model is a trigram over the command sentences backed off to a unigram mix of
command words and the few thousand most frequent English words. Built at load time
from the intent templates, so a new phrasing in `intents/` needs no training step.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence


def domain_lm(sentences: Sequence[str], general: Sequence[tuple[str, float]],
              general_share: float, backoff: float = 0.3) -> str:
    """A trigram ARPA model of the command sentences over a general unigram vocabulary.

    Counts are of distinct word sequences, not of sentences: templates filled with every
    game name give thousands of sentences that start "start the", and counting those
    would drown "help" and "next". After a context each of its seen successors is equally
    likely; `backoff` of the mass goes to the shorter context, and finally to unigrams: a
    mix of command words (by how many different words precede them) and general English
    by its frequency.
    """
    after: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for sentence in sentences:
        words = ["<s>", *sentence.split(), "</s>"]
        for index in range(1, len(words)):
            after[(words[index - 1],)].add(words[index])
            if index >= 2:
                after[(words[index - 2], words[index - 1])].add(words[index])
    predecessors = Counter(w for context, nexts in after.items() if len(context) == 1
                           for w in nexts)
    command_total = sum(predecessors.values()) or 1
    general_total = sum(p for _, p in general) or 1.0
    share = general_share if sentences else 1.0
    unigram: dict[str, float] = defaultdict(float)
    for word, count in predecessors.items():
        unigram[word] += (1.0 - share) * count / command_total
    for word, probability in general:
        unigram[word] += share * probability / general_total
    unigram.setdefault("</s>", 1e-3)
    unigram["<s>"] = 0.0

    def seen_mass(context: tuple[str, ...]) -> float:
        """Probability the shorter model gives the words seen after `context`."""
        if len(context) == 1:
            return sum(unigram[w] for w in after[context])
        shorter = (context[1],)
        return len(after[context]) * (1.0 - backoff) / len(after[shorter])

    def entry(logp: float, context: tuple[str, ...], word: str, order: int) -> str:
        ngram = " ".join((*context, word))
        if order == 3 or not after.get((*context, word)[-order:]):
            return f"{logp:.4f} {ngram}"
        alpha = backoff / max(1e-6, 1.0 - seen_mass((*context, word)[-order:]))
        return f"{logp:.4f} {ngram} {math.log10(alpha):.4f}"

    bigrams = sorted((c, w) for c, nexts in after.items() if len(c) == 1 for w in nexts)
    trigrams = sorted((c, w) for c, nexts in after.items() if len(c) == 2 for w in nexts)
    lines = ["\\data\\", f"ngram 1={len(unigram)}", f"ngram 2={len(bigrams)}",
             f"ngram 3={len(trigrams)}", "", "\\1-grams:"]
    lines += [entry(math.log10(p) if p > 0 else -99.0, (), w, 1)
              for w, p in sorted(unigram.items())]
    lines += ["", "\\2-grams:"]
    lines += [entry(math.log10((1.0 - backoff) / len(after[c])), c, w, 2) for c, w in bigrams]
    lines += ["", "\\3-grams:"]
    lines += [entry(math.log10((1.0 - backoff) / len(after[c])), c, w, 3) for c, w in trigrams]
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)
