"""Invented news articles for the fetch tests and benches (written for them; no real outlet)."""

from __future__ import annotations

from fetch_site import Site, article_html, rss

STORIES = {
    "bridge": ("Bridge closed after flood damage",
               ["The Harlow river bridge was closed on Tuesday after flood water damaged two of "
                "its supports, the regional transport office said.",
                "Engineers will inspect the structure over the next three days. Traffic is "
                "diverted through the northern ring road, adding about twenty minutes.",
                "The death toll from the floods rose to 12, according to the emergency "
                "service, and 340 homes remain without power."]),
    "budget": ("Council approves school budget",
               ["The city council approved a budget of 48 million for school repairs on "
                "Wednesday by a vote of 31 to 9.",
                "The plan funds new roofs for eleven schools and heating systems for four more, "
                "the council's finance committee said in a statement.",
                "Opposition members said the money came too late for buildings closed since "
                "the spring."]),
    "harbour": ("Harbour strike enters second week",
                ["Dock workers at the eastern harbour continued their strike for an eighth day "
                 "on Monday, halting most container traffic.",
                 "The union is asking for a pay rise of 9 percent; the port authority has "
                 "offered 4 percent over two years.",
                 "Shipping companies have begun routing vessels to the southern terminal, "
                 "which reported queues of up to two days."]),
}


def build_site(site: Site) -> None:
    """Pages, an AMP copy, a feed (one full entry, two summary-only), sitemaps, OPML."""
    base = site.base
    site.set("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    for slug, (title, paras) in STORIES.items():
        site.set(f"/news/{slug}", article_html(title, paras, canonical=f"{base}/news/{slug}"))
    title, paras = STORIES["bridge"]
    site.set("/amp/news/bridge", article_html(title, paras, canonical=f"{base}/news/bridge",
                                              amp=True))
    site.set("/", "<html><head><title>Home</title><link rel='alternate' "
             "type='application/rss+xml' href='/feed.xml'></head><body><p>Front page</p>"
             "</body></html>")
    site.set("/feed.xml", rss("Harlow Gazette", [
        {"title": STORIES["harbour"][0], "link": f"{base}/news/harbour",
         "content": "".join(f"<p>{p}</p>" for p in STORIES["harbour"][1])},
        {"title": STORIES["bridge"][0], "link": f"{base}/news/bridge?utm_source=rss"},
        {"title": STORIES["budget"][0], "link": f"{base}/news/budget"},
    ]), "application/rss+xml")
    site.set("/sitemap.xml",
             '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
             f'sitemap/0.9"><sitemap><loc>{base}/news-sitemap.xml</loc></sitemap>'
             "</sitemapindex>", "application/xml")
    site.set("/news-sitemap.xml",
             '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
             f"<url><loc>{base}/news/bridge</loc><news:news><news:publication_date>"
             "2026-12-05T09:00:00Z</news:publication_date></news:news></url>"
             f"<url><loc>{base}/news/budget</loc><lastmod>2026-12-04</lastmod></url>"
             f"<url><loc>{base}/news/harbour</loc><lastmod>2025-01-01</lastmod></url>"
             "</urlset>", "application/xml")
    site.set("/feeds.opml",
             '<?xml version="1.0"?><opml version="2.0"><head><title>f</title></head><body>'
             f'<outline text="g" type="rss" xmlUrl="{base}/feed.xml"/></body></opml>',
             "text/x-opml")
