"""Verbatim runs: an article's own code, as written, in every environment.

documents (Markdown, text, notebooks, scripts) -> blocks -> programs -> variants -> runs -> outcomes,
judged by block claims and reported as a matrix of block x environment x variant.
"""
