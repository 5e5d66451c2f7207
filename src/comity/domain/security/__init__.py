"""Protected information: labels, classification schemes, clearances, access expressions and
access decisions. Pure domain code: values in, values (decisions with reasons) out."""
