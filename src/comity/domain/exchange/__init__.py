"""Protected information exchange: what a sealed document's container says about its label.

Pure domain code: a comity label becomes the container's policy attributes and assertion
statements, and those become the label again (or a refusal). The container itself (keys,
ciphertext, zip) lives in `comity.crypto.ztdf`."""
