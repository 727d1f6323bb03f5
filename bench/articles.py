"""A content tree of 10,000 articles for the benchmark, made from the real ones.

Each generated article is one of the real articles (so its Markdown, links and
headings are the ones authors write) with a title naming a set-up and a closing
section of notes drawn from the words of the whole knowledge base. Search then runs
over a vocabulary and a spread of matches like a large knowledge base's, and every
page renders exactly as a real article does.
"""

import random
import re
import shutil
from pathlib import Path

import yaml

SETUPS = [
    "on Debian 12", "on Ubuntu 24.04", "on Rocky Linux 9", "with Plesk", "with cPanel",
    "in Docker Compose", "behind Cloudflare", "for WordPress", "for Laravel", "for Django",
    "for Node.js", "with Apache and PHP-FPM", "with nginx and Gunicorn", "on a 1 GB VPS",
    "after an upgrade", "during a traffic peak", "with Varnish in front", "for Magento",
    "with Traefik", "on a fresh server",
]  # fmt: skip
WORD = re.compile(r"[a-z][a-z-]{3,}")


def vocabulary(texts):
    """Words of the real articles, as often as they occur there (so common words stay
    common and rare words rare, as in any text)."""
    words = []
    for text in texts:
        words.extend(WORD.findall(text.lower()))
    return words


def split_front_matter(text):
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def notes(rng, words, number):
    sentences = []
    for _ in range(rng.randint(3, 6)):
        chosen = rng.choices(words, k=rng.randint(8, 16))
        sentences.append(" ".join(chosen).capitalize() + ".")
    return f"\n## Notes from case {number}\n\n" + " ".join(sentences) + "\n"


def write_tree(source_dir, target_dir, count, seed=20261121):
    """Copy `source_dir` (categories, flowchart, the real articles) to `target_dir` and
    add generated articles until it holds `count`. Returns the generated slugs."""
    shutil.copytree(source_dir, target_dir)
    real = sorted((source_dir / "articles").glob("*.md"))
    parsed = [split_front_matter(path.read_text(encoding="utf-8")) for path in real]
    words = vocabulary(body for _, body in parsed)
    rng = random.Random(seed)
    slugs = []
    for number in range(1, count - len(real) + 1):
        front, body = parsed[number % len(parsed)]
        setup = SETUPS[rng.randrange(len(SETUPS))]
        slug = f"{front['slug']}-case-{number}"
        front = {
            **front,
            "slug": slug,
            "title": f"{front['title']} {setup} (case {number})"[:200],
        }
        text = "---\n" + yaml.safe_dump(front, sort_keys=False) + "---\n"
        text += body + notes(rng, words, number)
        (Path(target_dir) / "articles" / f"{slug}.md").write_text(text, encoding="utf-8")
        slugs.append(slug)
    return slugs


def queries(words, count, seed=7):
    """Distinct searches people type: one to three words, some with a typo."""
    rng = random.Random(seed)
    common = sorted(set(words))
    seen = set()
    while len(seen) < count:
        query = " ".join(rng.choice(common) for _ in range(rng.choice((1, 1, 2, 2, 3))))
        if rng.random() < 0.1:  # a slip of the finger in the last word
            cut = rng.randrange(1, len(query) - 1)
            query = query[:cut] + query[cut + 1 :]
        seen.add(query)
    return sorted(seen, key=lambda _: rng.random())
