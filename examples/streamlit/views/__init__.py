# SPDX-License-Identifier: MIT
"""One module per page; each has render()."""
