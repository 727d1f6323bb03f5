from playwright.sync_api import expect

from kb.models import Feedback


def test_feedback_is_recorded_in_place(page, site):
    page.goto(f"{site}/kb/disk-full/")
    page.get_by_role("button", name="Yes").click()
    expect(page.locator(".feedback-thanks")).to_be_visible()
    expect(page).to_have_url(f"{site}/kb/disk-full/")
    assert Feedback.objects.get().version.article.slug == "disk-full"


def test_feedback_works_without_javascript(no_js_page, site):
    no_js_page.goto(f"{site}/kb/disk-full/")
    no_js_page.get_by_text("Add a comment (optional)").click()
    no_js_page.get_by_label("What was missing or wrong?").fill(
        "Say how to find deleted open files."
    )
    no_js_page.get_by_role("button", name="No").click()
    expect(no_js_page.locator(".feedback-thanks")).to_be_visible()
    feedback = Feedback.objects.get()
    assert not feedback.helpful
    assert feedback.comment == "Say how to find deleted open files."


def test_a_phone_never_scrolls_sideways(phone, site, monkeypatch):
    monkeypatch.setattr("kb.views.PER_PAGE", 10)
    paths = ("/", "/kb/", "/kb/reading-the-error-log/", "/kb/backend-down/history/",
             "/kb/categories/causes/?page=2")  # fmt: skip
    for path in paths:
        phone.goto(site + path)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the phone"


def test_on_a_phone_a_reader_pages_through_a_category(phone, site, monkeypatch):
    from kb.models import Article

    monkeypatch.setattr("kb.views.PER_PAGE", 10)
    count = Article.objects.published().filter(category__slug="causes").count()
    assert count > 20
    phone.goto(f"{site}/kb/")
    phone.get_by_role("link", name=f"All {count} articles in Causes and fixes").click()
    pages = phone.get_by_role("navigation", name="Pages of this list")
    expect(pages).to_contain_text(f"Page 1 of {-(-count // 10)}")
    pages.get_by_role("link", name="Next page").click()
    expect(pages).to_contain_text(f"Page 2 of {-(-count // 10)}")
    assert phone.url.endswith("/kb/categories/causes/?page=2")
    expect(phone.locator(".article-list li")).to_have_count(10)
    previous = pages.get_by_role("link", name="Previous page")
    box = previous.bounding_box()
    assert box["height"] >= 24 and box["x"] + box["width"] <= 390  # a finger can hit it
    previous.click()
    assert phone.url.endswith("/kb/categories/causes/")


def test_on_a_phone_the_contents_start_folded(phone, site):
    phone.goto(f"{site}/kb/backend-down/")
    expect(phone.locator(".toc details")).not_to_have_attribute("open", "")
    expect(phone.get_by_role("link", name="Confirm it")).to_be_hidden()


def test_the_keyboard_reaches_the_content_first(page, site):
    page.goto(f"{site}/kb/backend-down/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_printing_leaves_out_navigation_and_buttons(page, site):
    page.goto(f"{site}/kb/backend-down/")
    page.emulate_media(media="print")
    expect(page.locator(".site-header nav")).to_be_hidden()
    expect(page.locator(".feedback")).to_be_hidden()
    expect(page.locator(".copy-button").first).to_be_hidden()
    expect(page.locator(".prose h2").first).to_be_visible()


WIDE_CODE = """() => [...document.querySelectorAll('.code-block')].map((block) => {
  const pre = block.querySelector('pre');
  const copy = block.querySelector('.copy-button');
  const hint = block.querySelector('.scroll-hint');
  return {
    wide: pre.scrollWidth > pre.clientWidth + 1,
    scrolls: getComputedStyle(pre).overflowX === 'auto',
    hinted: Boolean(hint && hint.offsetWidth > 0),
    copyInView: copy.getBoundingClientRect().right <= window.innerWidth,
  };
})"""


def test_a_command_wider_than_its_box_says_it_scrolls_and_keeps_copy_in_reach(phone, page, site):
    for viewer, paths in (
        (
            phone,
            ["/kb/backend-down/", "/troubleshoot/cause/backend-down/", "/troubleshoot/?code=502"],
        ),
        (page, ["/kb/backend-down/", "/troubleshoot/?code=other-page"]),
    ):
        for path in paths:
            viewer.goto(site + path)
            blocks = viewer.evaluate(WIDE_CODE)
            assert blocks, path
            for block in blocks:
                assert block["copyInView"], (path, block)
                if block["wide"]:
                    assert block["scrolls"] and block["hinted"], (path, block)
    # On a phone some commands are wider than the screen, so the hint is really tested.
    phone.goto(f"{site}/kb/backend-down/")
    assert any(block["wide"] for block in phone.evaluate(WIDE_CODE))


def _cause_pages():
    from kb.models import Article
    from troubleshooter import flowchart

    articles = Article.objects.published().filter(category__slug="causes")
    return [*(a.get_absolute_url() for a in articles),
            *(o.get_absolute_url() for o in flowchart.get().outcomes.values())]  # fmt: skip


def test_on_a_phone_every_cause_page_shows_its_confirm_and_fix_commands_on_the_first_screen(
    phone, site
):
    paths = _cause_pages()
    assert len(paths) > 60
    late = []
    for path in paths:
        phone.goto(site + path)
        box = phone.locator(".quick-fix")
        expect(box.get_by_text("1. Confirm")).to_be_visible()
        expect(box.get_by_text("2. Fix")).to_be_visible()
        bottom = phone.evaluate(
            "document.querySelector('.quick-fix').getBoundingClientRect().bottom"
        )
        if bottom > 844:
            late.append(f"{path}: the box ends at {bottom:.0f} px")
    assert late == [], "\n".join(late)


def test_the_box_comes_before_the_articles_dates_and_links_down_to_the_fix(phone, site):
    phone.goto(f"{site}/kb/backend-down/")
    box = phone.locator(".quick-fix").bounding_box()
    assert box["y"] + box["height"] <= phone.locator(".version-line").bounding_box()["y"]
    phone.locator(".quick-fix").get_by_role("link", name="Fix", exact=True).click()
    expect(phone).to_have_url(f"{site}/kb/backend-down/#fix-it")
    heading = phone.locator("#fix-it").bounding_box()
    assert 0 <= heading["y"] < 844
