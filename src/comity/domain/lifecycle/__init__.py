"""The agreement lifecycle engine: final clauses (rules) + dated facts (events) → derived state.

Pure: no I/O except parsing text handed in, no clock; `as_of` always comes in as a parameter.
Modules: `model` (values), `agreement_file` (the TOML exchange format), `engine` (`evaluate`,
the one entry point) over its steps — `facts`, `arithmetic`, `entry_into_force`, `periods`,
`notices`, `provisional`, `status`, `deadlines` — whose results are the values of `state`.
"""
