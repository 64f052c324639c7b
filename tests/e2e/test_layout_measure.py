"""The layout measure itself: it finds each kind of problem it promises, and nothing on a page
that fits (a measure that never fails would pass every layout test)."""

from .layout import layout_problems

FITS = """<body style="margin:0;font:16px sans-serif">
<header style="display:flex;gap:8px"><h1 style="margin:0">Title</h1><span>Status</span></header>
<ol><li>One quick win</li><li>Another one</li></ol></body>"""


def test_a_page_that_fits_has_no_problems(browser):
    page = browser.new_page(viewport={"width": 800, "height": 600})
    page.set_content(FITS)
    assert layout_problems(page, fit_viewport=True) == []
    page.close()


def test_each_kind_of_problem_is_found(browser):
    page = browser.new_page(viewport={"width": 800, "height": 600})
    page.set_content(
        """<body style="margin:0;font:16px sans-serif">
        <p id="cut" style="width:80px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis">
          Open traffic data in every city of the region</p>
        <div style="width:100px;height:20px"><span id="wide" style="display:inline-block;
          width:300px">A long title beside the box</span></div>
        <p id="a" style="position:absolute;top:200px;left:10px;margin:0">First text here</p>
        <p id="b" style="position:absolute;top:205px;left:20px;margin:0">Second text here</p>
        <p id="low" style="position:absolute;top:900px;margin:0">Below the fold</p></body>"""
    )
    problems = "\n".join(layout_problems(page, fit_viewport=True))
    assert "clipped p#cut" in problems
    assert "spills span#wide" in problems
    assert "overlaps p#a" in problems and "p#b" in problems
    assert "off-screen p#low" in problems
    assert "page scrolls" in problems
    page.close()


def test_hidden_and_opted_out_elements_do_not_count(browser):
    page = browser.new_page(viewport={"width": 800, "height": 600})
    page.set_content(
        """<body style="margin:0"><p style="position:absolute;top:0">Label</p>
        <p data-layout-ignore style="position:absolute;top:0">Behind the label</p>
        <p hidden style="position:absolute;top:0">Hidden</p>
        <p style="display:none">Not shown</p></body>"""
    )
    assert layout_problems(page, fit_viewport=True) == []
    page.close()
