from playwright.sync_api import expect


def test_the_copy_button_copies_the_command(page, site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{site}/kb/backend-down/")
    block = page.locator(".code-block").first
    button = block.get_by_role("button", name="Copy")
    expect(button).to_be_visible()

    button.click()

    expect(button).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == block.locator("pre code").inner_text().rstrip("\n")
    assert copied.strip()


def test_without_javascript_there_is_no_dead_copy_button(no_js_page, site):
    no_js_page.goto(f"{site}/kb/backend-down/")
    expect(no_js_page.locator(".code-block pre").first).to_be_visible()
    expect(no_js_page.get_by_role("button", name="Copy")).to_have_count(0)
