"""Hypothesis strategies shared by the fuzz tests: JSON-like values, model-like documents, rules files."""

from __future__ import annotations

import random

from hypothesis import strategies as st

# Text that has broken renderers: a lone surrogate, a character outside the BMP, line separators.
ODD_TEXT = st.sampled_from(["\ud800", "x\udfff", "\U0001f600", "a\x1eb", "a\u2028b", "a\nb", "\x00"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8) | ODD_TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)
layer_like = st.fixed_dictionaries(
    {"class_name": st.sampled_from(["Dense", "InputLayer", "Functional", "Sequential", "__keras_tensor__"])},
    optional={
        "config": json_values,
        "name": st.text(max_size=5) | st.integers(),
        "inbound_nodes": json_values,
    },
)
model_like = st.fixed_dictionaries(
    {"class_name": st.sampled_from(["Functional", "Sequential", "Model"])},
    optional={
        "config": st.fixed_dictionaries(
            {},
            optional={
                "layers": st.lists(layer_like | json_values, max_size=5),
                "input_layers": json_values,
                "output_layers": json_values,
                "name": json_values,
            },
        )
        | json_values
    },
)


def mutate(value, rng: random.Random, replacement) -> None:
    """Replace, delete or retype one randomly chosen node somewhere inside `value`."""
    parent = value
    while True:
        keys = list(parent) if isinstance(parent, dict) else list(range(len(parent)))
        if not keys:
            return
        key = rng.choice(keys)
        child = parent[key]
        if isinstance(child, dict | list) and child and rng.random() < 0.7:
            parent = child
            continue
        if isinstance(parent, dict) and rng.random() < 0.3:
            del parent[key]
        else:
            parent[key] = replacement
        return


# Rules files: selectors and actions drawn from the rules grammar, with names from the test models.
CLASS_NAMES = ["Dense", "LSTM", "Dropout", "InputLayer", "Functional", "Sequential", "Bidirectional"]
CLASS_NAMES += ["TimeDistributed", "Conv2D", "BatchNormalization", "ReLU", "Embedding", "Nope"]
NAME_GLOBS = ["*", "dense_*", "dense_1", "inner_block", "encoder", "bilstm", "tags", "left", "x", "[!a]*"]
PATH_GLOBS = ["*", "*/*", "inner_block/*", "encoder/enc_dense", "nested/*", "bilstm"]
REGEXES = ["^d", "dense", "_[0-9]+$", ".", "inner|enc"]
BAD_REGEXES = ["(", "[", "a{2,1}"]
PREDICATE_OPS = ["eq", "ne", "gt", "ge", "lt", "le", "in", "regex", "exists"]
WHERE_FIELDS = ["units", "activation", "use_bias", "rate", "return_sequences", "filters", "layer.class_name"]
SET_FIELDS = ["seed", "momentum", "foo", "trainable", "kernel_initializer", "kernel_initializer.config.seed"]
SET_FIELDS += ["bias_regularizer", "extra.deep.field", "layer.config.seed", "cell.0"]
DTYPE_POLICIES = ["float32", "float16", "mixed_float16", "bfloat16", "mixed_bfloat16"]
TEMPLATES = ["{name}_v2", "x_{name}", "{class_name}_{name}", "{name}", "fixed"]
BAD_TEMPLATES = ["{nope}", "{", "{0}"]
SPEC_CLASSES = ["Dense", "Dropout", "Bidirectional", "TimeDistributed", "Activation", "Nope"]
IDEMPOTENT_ACTIONS = ("set", "unset", "set_everywhere", "freeze")

scalars = st.none() | st.booleans() | st.integers(-3, 1000) | st.floats(-1, 2) | st.text(max_size=6)


class RulesGrammar:
    """Strategies for the parts of a rules file; `odd=True` mixes in what the loader must refuse
    (bad regexes and name templates, odd text, rules without an action)."""

    def __init__(self, odd: bool):
        self.odd = odd
        self.regexes = st.sampled_from(REGEXES + BAD_REGEXES if odd else REGEXES)
        self.templates = st.sampled_from(TEMPLATES + BAD_TEMPLATES if odd else TEMPLATES)
        self.scalars = scalars | ODD_TEXT if odd else scalars
        self.texts = st.text(min_size=1, max_size=6) | ODD_TEXT if odd else st.text(min_size=1, max_size=6)

    def selectors(self):
        """`match:` mappings using every selector key."""
        tests = self.scalars | st.sampled_from(PREDICATE_OPS).flatmap(
            lambda op: st.fixed_dictionaries({op: self._operand(op)})
        )
        return st.fixed_dictionaries(
            {},
            optional={
                "class_name": st.sampled_from(CLASS_NAMES)
                | st.lists(st.sampled_from(CLASS_NAMES), max_size=3),
                "name": st.sampled_from(NAME_GLOBS),
                "name_regex": self.regexes,
                "path": st.sampled_from(PATH_GLOBS),
                "where": st.dictionaries(st.sampled_from(WHERE_FIELDS), tests, max_size=2),
            },
        )

    def _operand(self, op: str):
        if op == "in":
            return st.lists(self.scalars, max_size=3)
        if op == "regex":
            return self.regexes
        return st.booleans() if op == "exists" else self.scalars

    def actions(self) -> dict:
        """Action name -> strategy for its argument."""
        values = self.scalars | st.dictionaries(
            st.sampled_from(["seed", "class_name", "config"]), self.scalars, max_size=2
        )
        fields = st.dictionaries(st.sampled_from(SET_FIELDS), values, min_size=1, max_size=3)
        return {
            "set": fields,
            "unset": st.sampled_from(SET_FIELDS) | st.lists(st.sampled_from(SET_FIELDS), max_size=3),
            "set_everywhere": fields,
            "rename": self.templates,
            "replace": self._spec(None),
            "wrap": self._spec("inner_name"),
            "unwrap": st.just(True),
            "remove": st.just(True),
            "insert_before": self._spec("name"),
            "insert_after": self._spec("name"),
            "freeze": st.booleans(),
        }

    def _spec(self, template_key: str | None):
        optional = {
            "config": st.dictionaries(st.sampled_from(["rate", "units", "seed"]), self.scalars, max_size=2)
        }
        if template_key:
            optional[template_key] = self.templates
        return st.fixed_dictionaries({"class_name": st.sampled_from(SPEC_CLASSES)}, optional=optional)

    def rules(self, action_names=None):
        """One entry of `rules:`; with at least one action unless odd."""
        actions = self.actions()
        rule = st.fixed_dictionaries(
            {"match": self.selectors()},
            optional={name: actions[name] for name in action_names or actions},
        )
        return rule if self.odd else rule.filter(lambda item: len(item) > 1)

    def documents(self, action_names=None, model_keys=("name", "dtype_policy", "input_shape"), max_rules=3):
        """A whole rules file."""
        model = {
            "name": self.texts,
            "dtype_policy": st.sampled_from(DTYPE_POLICIES),
            "input_shape": st.lists(st.none() | st.integers(1, 64), max_size=3),
        }
        return st.fixed_dictionaries(
            {"rules": st.lists(self.rules(action_names), max_size=max_rules)},
            optional={"model": st.fixed_dictionaries({}, optional={k: model[k] for k in model_keys})},
        )


rules_documents = RulesGrammar(odd=False).documents() | RulesGrammar(odd=True).documents()


def _set_everywhere_sees_no_set_path(document: dict) -> bool:
    """False when a `set` path would create a key that a `set_everywhere` then finds on a second pass:
    such a pair is not idempotent by design (the first pass creates what the second pass matches)."""
    everywhere = {key for rule in document["rules"] for key in rule.get("set_everywhere", {})}
    segments = {
        part for rule in document["rules"] for path in rule.get("set", {}) for part in path.split(".")
    }
    return not everywhere & segments


idempotent_rules = (
    RulesGrammar(odd=False)
    .documents(IDEMPOTENT_ACTIONS, ("name", "dtype_policy"), max_rules=1)
    .filter(_set_everywhere_sees_no_set_path)
)
