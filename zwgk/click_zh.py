"""Click's own words in Chinese as well: help headings and the usage errors click raises
(an unknown option, a missing argument, a value out of range …), Chinese first, the English kept."""

from __future__ import annotations

import re

import click

# click's English message → the Chinese said before it (first match wins)
MESSAGES = [
    (re.compile(r"^No such option"), "没有这个选项"),
    (re.compile(r"^No such command"), "没有这个命令"),
    (re.compile(r"^Missing argument"), "缺少参数"),
    (re.compile(r"^Missing option"), "缺少必需的选项"),
    (re.compile(r"^Missing parameter"), "缺少参数"),
    (re.compile(r"^Option .* requires (an argument|\d+ arguments)"), "选项后面缺少取值"),
    (re.compile(r"^Option .* does not take a value"), "该选项不带取值"),
    (re.compile(r"^Got unexpected extra argument"), "多余的参数"),
    (re.compile(r"^Invalid value for .*is not a valid integer"), "取值不是整数"),
    (re.compile(r"^Invalid value for .*is not a valid float"), "取值不是数字"),
    (re.compile(r"^Invalid value for .*is not a valid boolean"), "取值不是 true/false"),
    (re.compile(r"^Invalid value for .*is not one of"), "取值不在可选范围内"),
    (re.compile(r"^Invalid value for .*is not in the range"), "取值超出范围"),
    (re.compile(r"^Invalid value for .*does not exist"), "文件或目录不存在"),
    (re.compile(r"^Invalid value for .*is a directory"), "应为文件，实为目录"),
    (re.compile(r"^Invalid value for .*is a file"), "应为目录，实为文件"),
    (re.compile(r"^Invalid value for .*is not (readable|writable)"), "没有读写权限"),
    (re.compile(r"^Invalid value for"), "取值无效"),
]


def in_chinese(message: str) -> str:
    """``message`` with its Chinese gist first, unless it already says something in Chinese."""
    if re.search(r"[\u4e00-\u9fff]", message):
        return message
    for pattern, zh in MESSAGES:
        if pattern.search(message):
            return f"{zh} {message}"
    return message


class ZwgkCommand(click.Command):
    """A command whose help says 用法/选项 beside Usage/Options."""

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="用法 Usage: ")

    def format_options(self, ctx, formatter):
        rows = [rv for p in self.get_params(ctx) if (rv := p.get_help_record(ctx)) is not None]
        if rows:
            with formatter.section("选项 Options"):
                formatter.write_dl(rows)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出 / show this help and exit"
        return option


class ZwgkGroupHelp(ZwgkCommand, click.Group):
    """A group with the same help words; its commands list under 命令 Commands."""

    command_class = ZwgkCommand

    def format_options(self, ctx, formatter):
        ZwgkCommand.format_options(self, ctx, formatter)
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("命令 Commands"):
                formatter.write_dl(rows)
