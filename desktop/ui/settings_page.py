"""设置: this PC's settings (type size, idle lock, receipt format, printer), the signed-in user's
修改密码; for administrators "关于本机", an immediate backup and a 用户管理 tab (:mod:`.users`).

Every change is saved at once (QSettings of this PC) and announced on
``ctx.events.setting_changed`` so the rest of the window follows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import logs
from desktop.services.admin import appinfo, maintenance
from desktop.services.admin.accounts import Permission

from . import style
from .context import (
    DEFAULT_IDLE_LOCK_MINUTES,
    PRINT_FORMAT_A4,
    PRINT_FORMAT_ROLL80,
    SETTING_IDLE_LOCK_MINUTES,
    SETTING_LARGE_TYPE,
    SETTING_PRINT_FORMAT,
    SETTING_PRINTER,
    UiContext,
    print_format,
    setting_bool,
    setting_int,
    setting_str,
)
from .typography import apply_large_type, set_font_scale
from .users import ChangePasswordDialog, UsersPanel

MAX_IDLE_MINUTES = 240


class SettingsPage(QWidget):
    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("settings_page")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.users_panel: UsersPanel | None = None
        self.tabs: QTabWidget | None = None
        if ctx.session.can(Permission.MANAGE_USERS):   # the user table needs the height: a tab of its own
            self.tabs = QTabWidget()
            self.tabs.setObjectName("settings_tabs")
            self.tabs.addTab(scroll, self.tr("本机与账户"))
            self.users_panel = UsersPanel(ctx)
            self.tabs.addTab(self.users_panel, self.tr("用户管理"))
            self.tabs.currentChanged.connect(lambda _i: self.on_shown())
            outer.addWidget(self.tabs)
        else:
            outer.addWidget(scroll)
        inner = QWidget()
        scroll.setWidget(inner)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(12)
        title = QLabel(self.tr("设置"))
        set_font_scale(title, 1.5, bold=True)
        layout.addWidget(title)
        layout.addWidget(QLabel(self.tr("以下设置只保存在本机，修改后立即生效。")))
        layout.addWidget(self._build_display())
        layout.addWidget(self._build_printing())
        layout.addWidget(self._build_account())
        layout.addWidget(self._build_log())
        self.password_dialog: ChangePasswordDialog | None = None
        self.about_box: QGroupBox | None = None
        if ctx.session.can(Permission.MANAGE_SETTINGS):
            self.about_box = self._build_about()
            layout.addWidget(self.about_box)
        self.saved = QLabel("")
        self.saved.setObjectName("settings_saved")
        self.saved.setStyleSheet(style.OK_TEXT)
        layout.addWidget(self.saved)
        layout.addStretch(1)
        self.setFocusProxy(self.large_type)
        ctx.events.setting_changed.connect(self._setting_changed)

    # ----- building ----------------------------------------------------------------------
    def _build_display(self) -> QGroupBox:
        box = QGroupBox(self.tr("显示与安全"))
        form = QFormLayout(box)
        self.large_type = QCheckBox(self.tr("使用大字号（14 磅，字更大、看得更清楚）"))
        self.large_type.setObjectName("large_type")
        self.large_type.setChecked(setting_bool(self.ctx.settings, SETTING_LARGE_TYPE))
        self.large_type.toggled.connect(self._large_type_toggled)
        form.addRow(self.tr("字号："), self.large_type)
        self.idle = QSpinBox()
        self.idle.setObjectName("idle_minutes")
        self.idle.setRange(0, MAX_IDLE_MINUTES)
        self.idle.setSuffix(self.tr(" 分钟"))
        self.idle.setSpecialValueText(self.tr("从不自动锁定"))
        self.idle.setKeyboardTracking(False)
        self.idle.setMinimumWidth(160)
        self.idle.setValue(setting_int(self.ctx.settings, SETTING_IDLE_LOCK_MINUTES, DEFAULT_IDLE_LOCK_MINUTES))
        self.idle.valueChanged.connect(self._idle_changed)
        idle_row = QHBoxLayout()
        idle_row.addWidget(self.idle)
        idle_row.addWidget(QLabel(self.tr("无操作多久后锁定屏幕（0 为从不）；随时可按 Ctrl+L 锁定。")))
        idle_row.addStretch(1)
        form.addRow(self.tr("自动锁定："), idle_row)
        return box

    def _build_printing(self) -> QGroupBox:
        box = QGroupBox(self.tr("打印"))
        form = QFormLayout(box)
        self.format = QComboBox()
        self.format.setObjectName("print_format")
        self.format.addItem(self.tr("A4 纸（申请人联、存档联）"), PRINT_FORMAT_A4)
        self.format.addItem(self.tr("80 毫米热敏卷纸"), PRINT_FORMAT_ROLL80)
        self.format.setCurrentIndex(max(0, self.format.findData(print_format(self.ctx.settings))))
        self.format.currentIndexChanged.connect(self._format_changed)
        self.format.setMinimumWidth(320)
        format_row = QHBoxLayout()
        format_row.addWidget(self.format)
        format_row.addWidget(QLabel(self.tr("打印回执时默认选用；每次打印仍可更改。")))
        format_row.addStretch(1)
        form.addRow(self.tr("默认回执格式："), format_row)
        self.printer = QComboBox()
        self.printer.setObjectName("printer")
        self.printer.setMinimumWidth(320)
        self.printer.activated.connect(self._printer_changed)
        refresh = QPushButton(self.tr("刷新打印机列表"))
        refresh.clicked.connect(self.load_printers)
        row = QHBoxLayout()
        row.addWidget(self.printer)
        row.addWidget(refresh)
        row.addStretch(1)
        form.addRow(self.tr("默认打印机："), row)
        self.load_printers()
        return box

    def _build_account(self) -> QGroupBox:
        box = QGroupBox(self.tr("我的账户"))
        row = QHBoxLayout(box)
        user = self.ctx.session.user
        row.addWidget(QLabel(self.tr("{0}（用户名 {1}，{2}）").format(user.display_name, user.username,
                                                                   user.role_label)))
        self.change_password_button = QPushButton(self.tr("修改密码…"))
        self.change_password_button.setObjectName("change_password")
        self.change_password_button.clicked.connect(self.change_password)
        row.addWidget(self.change_password_button)
        self.password_result = QLabel("")
        self.password_result.setObjectName("password_result")
        self.password_result.setStyleSheet(style.OK_TEXT)
        row.addWidget(self.password_result, 1)
        return box

    def _build_log(self) -> QGroupBox:
        """Where the log is, and the way to it: what county IT asks a clerk for after 程序内部错误."""
        box = QGroupBox(self.tr("日志"))
        row = QHBoxLayout(box)
        path = logs.log_file()
        self.log_path = QLabel(str(path) if path is not None else self.tr("本次运行未写日志文件。"))
        self.log_path.setObjectName("log_path")
        self.log_path.setWordWrap(True)
        self.log_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.log_path, 1)
        self.open_log_button = QPushButton(self.tr("打开日志文件夹"))
        self.open_log_button.setObjectName("open_log_folder")
        self.open_log_button.setEnabled(path is not None)
        self.open_log_button.clicked.connect(self.open_log_folder)
        row.addWidget(self.open_log_button)
        return box

    def open_log_folder(self) -> bool:
        path = logs.log_file()
        return path is not None and QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    def change_password(self) -> None:
        self.password_dialog = ChangePasswordDialog(self.ctx, self)
        self.password_dialog.accepted.connect(
            lambda: self.password_result.setText(self.tr("密码已修改，下次登录和解锁屏幕请用新密码。")))
        self.password_dialog.open()

    def _build_about(self) -> QGroupBox:
        box = QGroupBox(self.tr("关于本机（仅系统管理员可见）"))
        form = QFormLayout(box)
        self.about_fields: dict[str, QLabel] = {}
        for key, label in (("device", self.tr("设备编号：")), ("township", self.tr("所属乡镇：")),
                           ("database", self.tr("数据库文件：")), ("schema", self.tr("数据库结构版本：")),
                           ("backups", self.tr("备份：")), ("last_backup", self.tr("最近一次备份："))):
            value = QLabel("…")
            value.setObjectName(f"about_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, value)
            self.about_fields[key] = value
        self.backup_button = QPushButton(self.tr("立即备份"))
        self.backup_button.setObjectName("backup_now")
        self.backup_button.clicked.connect(self.backup_now)
        self.backup_result = QLabel("")
        self.backup_result.setObjectName("backup_result")
        self.backup_result.setWordWrap(True)
        self.backup_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addWidget(self.backup_result, 1)
        form.addRow("", row)
        return box

    # ----- page contract ---------------------------------------------------------------------
    def on_shown(self) -> None:
        if self.users_panel is not None:
            self.users_panel.refresh()
        if self.about_box is not None:
            self.ctx.tasks.run(appinfo.about, self.ctx.session, on_done=self.show_about,
                               on_error=self._about_failed, latest_only="settings.about")

    # ----- changes -------------------------------------------------------------------------
    def _save(self, key: str, value: object, note: str) -> None:
        self.ctx.settings.setValue(key, value)
        self.ctx.settings.sync()
        self.ctx.events.setting_changed.emit(key)
        self.saved.setText(self.tr("已保存：{0}").format(note))

    def _large_type_toggled(self, on: bool) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_large_type(app, on)
        self._save(SETTING_LARGE_TYPE, on, self.tr("大字号已打开") if on else self.tr("大字号已关闭"))

    def _idle_changed(self, minutes: int) -> None:
        note = self.tr("从不自动锁定") if minutes == 0 else self.tr("无操作 {0} 分钟后自动锁定").format(minutes)
        self._save(SETTING_IDLE_LOCK_MINUTES, minutes, note)

    def _format_changed(self, _index: int) -> None:
        self._save(SETTING_PRINT_FORMAT, self.format.currentData(),
                   self.tr("默认回执格式为 {0}").format(self.format.currentText()))

    def _printer_changed(self, _index: int) -> None:
        name = self.printer.currentData() or ""
        self._save(SETTING_PRINTER, name, self.tr("默认打印机为 {0}").format(self.printer.currentText()))

    def load_printers(self) -> None:
        saved = setting_str(self.ctx.settings, SETTING_PRINTER)
        names = list(QPrinterInfo.availablePrinterNames())
        self.printer.clear()
        self.printer.addItem(self.tr("系统默认打印机"), "")
        for name in names:
            self.printer.addItem(name, name)
        if saved and saved not in names:
            self.printer.addItem(self.tr("{0}（当前未连接）").format(saved), saved)
        self.printer.setCurrentIndex(max(0, self.printer.findData(saved)))

    def _setting_changed(self, key: str) -> None:
        if key == SETTING_LARGE_TYPE:
            large = setting_bool(self.ctx.settings, SETTING_LARGE_TYPE)
            if self.large_type.isChecked() != large:
                self.large_type.blockSignals(True)
                self.large_type.setChecked(large)
                self.large_type.blockSignals(False)

    # ----- about and backup (administrators) ---------------------------------------------------
    def show_about(self, info: appinfo.AboutInfo) -> None:
        f = self.about_fields
        f["device"].setText(info.device_code)
        f["township"].setText(f"{info.county_name} {info.township_name}".strip())
        f["database"].setText(str(info.database_path))
        f["schema"].setText(info.schema_version + ("" if info.schema_version == info.schema_head
                                                   else self.tr("（最新为 {0}）").format(info.schema_head)))
        f["backups"].setText(self.tr("{0} 份，位于 {1}").format(info.backups, info.data_dir / "backups"))
        f["last_backup"].setText(info.last_backup or self.tr("尚无备份"))

    def _about_failed(self, exc: BaseException) -> None:
        for label in self.about_fields.values():
            label.setText("—")
        self.backup_result.setText(self.ctx.error_text(exc))

    def backup_now(self) -> None:
        self.backup_button.setEnabled(False)
        self.backup_result.setStyleSheet("")
        self.backup_result.setText(self.tr("正在备份并校验，请稍候…"))
        self.ctx.tasks.run(maintenance.backup_now, self.ctx.session, on_done=self._backup_done,
                           on_error=self._backup_failed)

    def _backup_done(self, info: object) -> None:
        self.backup_button.setEnabled(True)
        path = getattr(info, "path", "")
        rows = sum(getattr(info, "counts", {}).values())
        self.backup_result.setStyleSheet(style.OK_TEXT)
        self.backup_result.setText(self.tr("备份完成并已校验：{0}（共 {1} 行）").format(path, rows))
        self.on_shown()

    def _backup_failed(self, exc: BaseException) -> None:
        self.backup_button.setEnabled(True)
        self.backup_result.setStyleSheet(style.ERROR_TEXT)
        self.backup_result.setText(self.tr("备份失败：{0}").format(self.ctx.error_text(exc)))
