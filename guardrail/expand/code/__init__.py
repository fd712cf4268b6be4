"""Readers of inline code: the commands Python, node, ruby, perl, php, lua, R, awk, sed, vim... code starts."""
