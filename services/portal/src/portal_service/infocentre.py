"""The info centre's announcements and manuals, kept in one JSON file.

No other service needs this content, so a small file under ``var/portal`` is
enough. The province operator edits it in the admin console. Writes go to a
temporary file first, which then replaces the old file atomically.
"""

import json
import os
import threading
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

CATEGORIES = {
    "announcement": "平台公告",
    "manual": "操作手册",
    "policy": "政策文件",
}


@dataclass
class Article:
    """One announcement or manual shown in the info centre."""

    article_id: str
    category: str
    title: str
    body: str
    published_at: str
    pinned: bool = False

    @property
    def category_label(self) -> str:
        return CATEGORIES.get(self.category, self.category)


class InfoCentre:
    """Load, list and edit the articles of the info centre file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def list_articles(self, category: str | None = None) -> list[Article]:
        articles = self._load()
        if category:
            articles = [article for article in articles if article.category == category]
        newest_first = sorted(articles, key=lambda a: a.published_at, reverse=True)
        return sorted(newest_first, key=lambda a: not a.pinned)

    def get(self, article_id: str) -> Article | None:
        return next((a for a in self._load() if a.article_id == article_id), None)

    def save(self, article_id: str | None, category: str, title: str, body: str,
             pinned: bool) -> Article:
        """Create an article (no id) or replace the one with ``article_id``."""
        if category not in CATEGORIES:
            raise ValueError(f"unknown category {category!r}")
        with self._lock:
            articles = self._load()
            existing = next((a for a in articles if a.article_id == article_id), None)
            if existing is None:
                existing = Article(
                    article_id=uuid.uuid4().hex, category=category, title=title, body=body,
                    published_at=datetime.now(UTC).isoformat(timespec="seconds"), pinned=pinned,
                )
                articles.append(existing)
            else:
                existing.category, existing.title, existing.body = category, title, body
                existing.pinned = pinned
            self._write(articles)
            return existing

    def delete(self, article_id: str) -> bool:
        with self._lock:
            articles = self._load()
            kept = [a for a in articles if a.article_id != article_id]
            self._write(kept)
            return len(kept) != len(articles)

    def _load(self) -> list[Article]:
        if not self.path.exists():
            return default_articles()
        document = json.loads(self.path.read_text(encoding="utf-8"))
        return [Article(**item) for item in document.get("articles", [])]

    def _write(self, articles: list[Article]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        document = {"articles": [asdict(article) for article in articles]}
        temporary.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(temporary, self.path)


def default_articles() -> list[Article]:
    """Articles shown until the operator saves the first change."""
    stamp = "2026-04-20T00:00:00+00:00"
    return [
        Article(
            article_id="welcome", category="announcement", pinned=True, published_at=stamp,
            title="关于开展年度工勤人员继续教育培训的通知",
            body=(
                "各位学员：本年度继续教育的报名、缴费、学习、课程测验和打印培训证明均在本平台完成。"
                "技师、高级技师每年40课时（思政12、通识12、岗位技能提升16），其他等级每年24课时"
                "（思政7、通识7、岗位技能提升10），各类别须分别达到要求。请在规定时间内完成学习。"
            ),
        ),
        Article(
            article_id="manual-learner", category="manual", published_at=stamp,
            title="学员操作手册",
            body=(
                "培训流程：登录 → 报名缴费 → 进班学习 → 完成课后测验 → 打印培训证明。\n"
                "1. 在首页输入身份证号、密码和验证码登录；忘记密码可通过“忘记密码”重置。\n"
                "2. 点击“报名”，选择培训年度，填写发票信息并提交订单，选择支付方式后在银行页面完成缴费。\n"
                "3. 缴费成功后进入“我的班级”，点击“立即选课”，按类别选择课程并“确认选中的课程”。\n"
                "4. 在“课程学习”页面观看各章节视频，进度达到100%后参加“课后测验”，60分及格，可多次测验。\n"
                "5. 各类别课时均达到要求后，在“培训证明”页面打印《工勤人员继续教育记录》。"
            ),
        ),
    ]
