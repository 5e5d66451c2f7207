"""What every area shares: values and rules that lifecycle, security, audit and the areas to come
all use, so that each is written once (text rules, decisions, permissions, date spans,
transition tables, canonical JSON)."""
