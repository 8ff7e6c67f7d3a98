"""Regenerate templates/default/master.pptx: python-pptx's default master at 16:9.

Designers replace master.pptx with their own file; this script only makes the starting point.
Usage: .venv/bin/python scripts/make-master.py templates/default/master.pptx
"""

import sys

from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu

WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 x 7.5 in


def main(target: str) -> None:
    presentation = Presentation()
    scale = WIDTH / presentation.slide_width
    presentation.slide_width, presentation.slide_height = WIDTH, HEIGHT
    master = presentation.slide_master
    for shapes in [master.shapes, *(layout.shapes for layout in master.slide_layouts)]:
        for shape in shapes:
            # Only shapes with their own position; the others inherit the master's (scaled).
            if shape._element.spPr.find(qn("a:xfrm")) is not None:
                shape.left, shape.width = int(shape.left * scale), int(shape.width * scale)
    presentation.save(target)


if __name__ == "__main__":
    main(sys.argv[1])
